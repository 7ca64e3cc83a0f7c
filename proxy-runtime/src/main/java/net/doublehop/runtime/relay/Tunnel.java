package net.doublehop.runtime.relay;

import java.util.function.Consumer;

/**
 * An open tunnel: two ends relayed both ways with backpressure. The relay is the Netty proxy
 * example's rule: when the writer's queue is full, stop reading until it drains.
 *
 * <p>Half-close: when the client ends its side (HTTP/2 END_STREAM), the destination's output is
 * ended and the destination's answer still flows back; when the destination closes, the client
 * side is ended (END_STREAM on HTTP/2 and HTTP/3, connection close on HTTP/1.1).
 */
public final class Tunnel extends BaseRelay {

    /** The two ends of a tunnel about to start. */
    public record Legs(TunnelEnd client, TunnelEnd destination) { }

    /** What a finished tunnel reports, for metrics and the summary log line. */
    public record Summary(long bytesFromClient, long bytesToClient, long durationNanos, boolean idleTimedOut) { }

    private final TunnelEnd client;
    private final TunnelEnd destination;
    private final Consumer<Long> onFirstByte;
    private final boolean clientCanHalfClose;
    private boolean clientEnded;
    private boolean destinationClosed;
    private boolean clientEndSent;

    /**
     * @param clientCanHalfClose true for HTTP/2 and HTTP/3 streams, where END_STREAM only ends the client's
     *     sending side; on HTTP/1.1 the end of the client's data is the end of its connection
     */
    public Tunnel(Legs legs, boolean clientCanHalfClose, long openedNanos,
            Consumer<Long> onFirstByte, Consumer<Summary> onFinish) {
        super(openedNanos, onFinish);
        this.client = legs.client();
        this.clientCanHalfClose = clientCanHalfClose;
        this.destination = legs.destination();
        this.onFirstByte = onFirstByte;
    }

    /** Wires both directions. Call once, on the client's event loop. */
    public void start() {
        relay(client, destination, this::fromClient);
        relay(destination, client, n -> {
            if (toClient(n)) {
                onFirstByte.accept(System.nanoTime() - openedNanos());
            }
        });
        client.endHandler(v -> {
            clientEnded = true;
            destination.endOutput();
        });
        destination.endHandler(v -> endClient());
        destination.closeHandler(v -> {
            destinationClosed = true;
            // Nothing more can come from the destination. An HTTP/2 or HTTP/3 client gets END_STREAM (its own
            // direction may still drain); an HTTP/1.1 client's connection is the tunnel, so it is closed.
            if (clientCanHalfClose) {
                endClient();
            } else {
                clientEndSent = true;
                client.close();
            }
            finish();
        });
        client.closeHandler(v -> {
            // Vert.x reports "closed" on a stream socket right after its end: on HTTP/2 that is only the
            // client's half-close, and the destination's answer must still flow back.
            if (clientCanHalfClose && clientEnded) {
                return;
            }
            if (!destinationClosed) {
                destination.reset();
            }
            finish();
        });
        client.exceptionHandler(t -> abort());
        destination.exceptionHandler(t -> abort());
    }

    /** Ends the client side once: the destination reports both end and close. */
    private void endClient() {
        if (!clientEndSent) {
            clientEndSent = true;
            client.endOutput();
        }
    }

    /** Each chunk is handed on as it is (its ownership with it): never copied between two Netty channels. */
    private void relay(TunnelEnd from, TunnelEnd to, Consumer<Integer> count) {
        from.handler(buf -> {
            count.accept(buf.readableBytes());
            to.write(buf);
            if (to.writeQueueFull()) {
                from.stopReading();
                to.drainHandler(v -> from.startReading());
            }
        });
    }

    /** Closes both legs: idle timeout, shutdown deadline, or an error on either side. */
    @Override
    public void abort() {
        destination.reset();
        clientEndSent = true;
        client.reset();
        finish();
    }

    private void finish() {
        finish(() -> { });
    }
}
