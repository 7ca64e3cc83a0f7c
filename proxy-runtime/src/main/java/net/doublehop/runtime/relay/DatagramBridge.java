package net.doublehop.runtime.relay;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A CONNECT-UDP flow relayed between two datagram ends, each speaking its own carriage (capsules on an HTTP/1.1 or
 * HTTP/2 stream, HTTP/3 datagrams): this is where Proxy A translates between them. Payloads pass one by one; the
 * flow ends when either side does. Datagrams are never queued here: an end that cannot send drops, as UDP may.
 */
public final class DatagramBridge implements Relay {

    private final DatagramEnd client;
    private final DatagramEnd upstream;
    private final Consumer<Tunnel.Summary> onFinish;
    private final long openedNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile long lastActivityNanos = openedNanos;
    private volatile boolean idleTimedOut;
    private long bytesFromClient;
    private long bytesToClient;

    public DatagramBridge(DatagramEnd client, DatagramEnd upstream, Consumer<Tunnel.Summary> onFinish) {
        this.client = client;
        this.upstream = upstream;
        this.onFinish = onFinish;
    }

    public void start() {
        client.payloadHandler(p -> {
            lastActivityNanos = System.nanoTime();
            bytesFromClient += p.length();
            upstream.send(p);
        });
        upstream.payloadHandler(p -> {
            lastActivityNanos = System.nanoTime();
            bytesToClient += p.length();
            client.send(p);
        });
        client.closeHandler(v -> close());
        upstream.closeHandler(v -> close());
    }

    /** True when no datagram moved either way for longer than {@code idleNanos}. */
    @Override
    public boolean idleSince(long now, long idleNanos) {
        return now - lastActivityNanos > idleNanos;
    }

    @Override
    public void closeIdle() {
        idleTimedOut = true;
        close();
    }

    @Override
    public void abort() {
        close();
    }

    /** Ends both sides and reports once. */
    public void close() {
        if (finished.compareAndSet(false, true)) {
            client.close();
            upstream.close();
            onFinish.accept(new Tunnel.Summary(bytesFromClient, bytesToClient, System.nanoTime() - openedNanos,
                    idleTimedOut));
        }
    }
}
