package net.doublehop.runtime.relay;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.StreamChannelInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An open tunnel: two sockets relayed both ways with backpressure. The relay is the Netty proxy
 * example's rule in Vert.x terms: when the writer's queue is full, stop reading until it drains.
 *
 * <p>Half-close: when the client ends its side (HTTP/2 END_STREAM), the destination's TCP output is
 * shut down and the destination's answer still flows back; when the destination closes, the client
 * side is ended (END_STREAM on HTTP/2, connection close on HTTP/1.1).
 */
public final class Tunnel {

    /**
     * The two sockets of a tunnel about to start, and how to abort each. Closing an HTTP/2 stream socket only
     * ends it (END_STREAM), which would leave the peer's half open, holding its tunnel and this connection's
     * flow-control window; aborting one must reset it (RST_STREAM), which only its request or response can do.
     */
    public record Legs(NetSocket client, NetSocket destination, Runnable resetClient, Runnable resetDestination) {

        /** Legs whose sockets abort by closing: TCP connections, and HTTP/1.1 clients. */
        public Legs(NetSocket client, NetSocket destination) {
            this(client, destination, () -> closeQuietly(client), () -> closeQuietly(destination));
        }

        public Legs withResetClient(Runnable reset) {
            return new Legs(client, destination, reset, resetDestination);
        }

        public Legs withResetDestination(Runnable reset) {
            return new Legs(client, destination, resetClient, reset);
        }
    }

    /** What a finished tunnel reports, for metrics and the summary log line. */
    public record Summary(long bytesFromClient, long bytesToClient, long durationNanos, boolean idleTimedOut) { }

    private final NetSocket client;
    private final NetSocket destination;
    private final Legs legs;
    private final long openedNanos;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Consumer<Summary> onFinish;
    private final Consumer<Long> onFirstByte;
    private final boolean clientCanHalfClose;
    private boolean clientEnded;
    private boolean destinationClosed;
    private boolean clientEndSent;
    private volatile long lastActivityNanos;
    private volatile boolean idleTimedOut;
    private long bytesFromClient;
    private long bytesToClient;

    /**
     * @param clientCanHalfClose true for HTTP/2 and HTTP/3 streams, where END_STREAM only ends the client's
     *     sending side; on HTTP/1.1 the end of the client's data is the end of its connection
     */
    public Tunnel(Legs legs, boolean clientCanHalfClose, long openedNanos,
            Consumer<Long> onFirstByte, Consumer<Summary> onFinish) {
        this.legs = legs;
        this.client = legs.client();
        this.clientCanHalfClose = clientCanHalfClose;
        this.destination = legs.destination();
        this.openedNanos = openedNanos;
        this.lastActivityNanos = openedNanos;
        this.onFirstByte = onFirstByte;
        this.onFinish = onFinish;
    }

    /** Wires both directions. Call once, on the client's event loop. */
    public void start() {
        relay(client, clientCanHalfClose ? ReadGate.of(client) : ReadGate.ofConnection(client), destination,
                n -> bytesFromClient += n);
        relay(destination, ReadGate.ofConnection(destination), client, n -> {
            if (bytesToClient == 0) {
                onFirstByte.accept(System.nanoTime() - openedNanos);
            }
            bytesToClient += n;
        });
        client.endHandler(v -> {
            clientEnded = true;
            shutdownOutput(destination);
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
                closeQuietly(client);
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
                reset(legs.resetDestination());
            }
            finish();
        });
        // Graceful shutdown: Vert.x asks each connection to wind down; a tunnel keeps running until its
        // peers finish or the server's shutdown deadline closes it.
        client.shutdownHandler(timeout -> { });
        client.exceptionHandler(t -> abort());
        destination.exceptionHandler(t -> abort());
    }

    /**
     * Ends the client side once: the destination reports both end and close, and ending an HTTP/2 stream
     * socket twice throws ("response has already been written").
     */
    private void endClient() {
        if (!clientEndSent) {
            clientEndSent = true;
            try {
                client.end();
            } catch (IllegalStateException alreadyClosed) {
                // the client's stream was reset or closed first: nothing to end
            }
        }
    }

    private void relay(ReadStream<Buffer> from, ReadGate gate, WriteStream<Buffer> to, Consumer<Integer> count) {
        from.handler(buf -> {
            lastActivityNanos = System.nanoTime();
            count.accept(buf.length());
            to.write(buf);
            if (to.writeQueueFull()) {
                gate.stop();
                to.drainHandler(v -> gate.start());
            }
        });
    }

    /**
     * How a reader is stopped while its writer's queue is full.
     *
     * <p>A whole TCP connection (the destination; an HTTP/1.1 client, whose connection is the tunnel) is
     * stopped at the socket, by turning Netty's auto-read off, never with Vert.x's {@code pause()}: a paused
     * Vert.x socket queues what it already read, and when the peer closes, Vert.x discards that queue
     * together with the end of stream, so the last bytes a destination sent before closing were lost. With
     * auto-read off nothing is queued in Vert.x; what Netty still reads (at most the current read, or the
     * rest of the socket buffer when the peer closes) goes on to the writer's queue, in order, before the
     * end. An HTTP/2 or HTTP/3 stream is paused the Vert.x way: that is stream flow control.
     */
    private interface ReadGate {
        void stop();

        void start();

        static ReadGate of(ReadStream<Buffer> stream) {
            return new ReadGate() {
                @Override
                public void stop() {
                    stream.pause();
                }

                @Override
                public void start() {
                    stream.resume();
                }
            };
        }

        static ReadGate ofConnection(NetSocket socket) {
            if (socket instanceof StreamChannelInternal internal
                    && internal.channelHandlerContext().channel() instanceof DuplexChannel channel) {
                return new ReadGate() {
                    @Override
                    public void stop() {
                        channel.config().setAutoRead(false);
                    }

                    @Override
                    public void start() {
                        channel.config().setAutoRead(true);
                    }
                };
            }
            return of(socket);
        }
    }

    /** True when nothing moved for longer than {@code idleNanos}. */
    public boolean idleSince(long now, long idleNanos) {
        return now - lastActivityNanos > idleNanos;
    }

    /** Closes both legs: idle timeout, shutdown deadline, or an error on either side. */
    public void closeIdle() {
        idleTimedOut = true;
        abort();
    }

    public void abort() {
        reset(legs.resetDestination());
        clientEndSent = true;
        reset(legs.resetClient());
        finish();
    }

    private static void reset(Runnable reset) {
        try {
            reset.run();
        } catch (IllegalStateException alreadyGone) {
            // the stream or connection is already closed: nothing left to reset
        }
    }

    /**
     * Vert.x closes an HTTP/2 stream socket by ending it, which throws when our side already ended; then there
     * is nothing left to close from here (the connection's own lifecycle reclaims the stream).
     */
    private static void closeQuietly(NetSocket socket) {
        try {
            socket.close();
        } catch (IllegalStateException alreadyEnded) {
            // see above
        }
    }

    private void finish() {
        if (finished.compareAndSet(false, true)) {
            onFinish.accept(new Summary(bytesFromClient, bytesToClient, System.nanoTime() - openedNanos,
                    idleTimedOut));
        }
    }

    /**
     * A TCP half-close towards the destination. Vert.x's {@code NetSocket.end()} closes the whole
     * socket, which would lose the destination's answer, so go to the Netty channel for it.
     */
    private static void shutdownOutput(NetSocket socket) {
        if (socket instanceof StreamChannelInternal internal) {
            Channel ch = internal.channelHandlerContext().channel();
            if (ch instanceof DuplexChannel duplex && ch.isActive()) {
                ch.eventLoop().execute(() -> {
                    ch.flush();
                    duplex.shutdownOutput();
                });
                return;
            }
        }
        socket.end();
    }
}
