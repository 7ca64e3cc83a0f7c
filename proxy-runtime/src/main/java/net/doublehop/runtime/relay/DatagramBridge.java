package net.doublehop.runtime.relay;

import java.util.function.Consumer;

/**
 * A CONNECT-UDP flow relayed between two datagram ends, each speaking its own carriage (capsules on an HTTP/1.1 or
 * HTTP/2 stream, HTTP/3 datagrams): this is where Proxy A translates between them. Payloads pass one by one; the
 * flow ends when either side does. Datagrams are never queued here: an end that cannot send drops, as UDP may.
 */
public final class DatagramBridge extends BaseRelay {

    private final DatagramEnd client;
    private final DatagramEnd upstream;

    public DatagramBridge(DatagramEnd client, DatagramEnd upstream, Consumer<Tunnel.Summary> onFinish) {
        super(System.nanoTime(), onFinish);
        this.client = client;
        this.upstream = upstream;
    }

    public void start() {
        client.payloadHandler(p -> {
            fromClient(p.length());
            upstream.send(p);
        });
        upstream.payloadHandler(p -> {
            toClient(p.length());
            client.send(p);
        });
        client.closeHandler(v -> close());
        upstream.closeHandler(v -> close());
    }

    @Override
    public void abort() {
        close();
    }

    /** Ends both sides and reports once. */
    public void close() {
        finish(() -> {
            client.close();
            upstream.close();
        });
    }
}
