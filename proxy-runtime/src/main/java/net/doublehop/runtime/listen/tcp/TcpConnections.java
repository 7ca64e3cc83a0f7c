package net.doublehop.runtime.listen.tcp;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import net.doublehop.runtime.metrics.ProxyMetrics;

/**
 * The open connections of one TCP listener, confined to its event loop: counted by protocol once ALPN (or the
 * cleartext preface) has settled it, as Vert.x's connection handler did, and wound down on shutdown.
 */
final class TcpConnections {

    /** How a connection winds down on shutdown. */
    interface Drainable {

        /** Stop taking requests: GOAWAY on HTTP/2; HTTP/1.1 closes unless a request or tunnel is open. */
        void drain();

        /** True while a request or tunnel is open on it. */
        boolean busy();
    }

    private static final AttributeKey<Drainable> DRAIN = AttributeKey.valueOf("doublehop.drain");

    private final Set<Channel> open = new LinkedHashSet<>();
    private final ProxyMetrics metrics;
    private boolean draining;

    TcpConnections(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    void accepted(Channel ch) {
        if (draining) {
            ch.close();
            return;
        }
        open.add(ch);
        ch.closeFuture().addListener(f -> open.remove(ch));
    }

    /** The connection's protocol is settled: {@code h1} or {@code h2}. */
    void negotiated(Channel ch, String protocol, Drainable drainable) {
        long opened = System.nanoTime();
        ch.attr(DRAIN).set(drainable);
        metrics.connectionOpened(protocol);
        ch.closeFuture().addListener(f -> metrics.connectionClosed(protocol, System.nanoTime() - opened));
        if (draining) {
            drainable.drain();
        }
    }

    boolean draining() {
        return draining;
    }

    /** Shutdown begins: every connection is asked to wind down; those still in their handshake are closed. */
    void startDrain() {
        draining = true;
        for (Channel ch : new ArrayList<>(open)) {
            Drainable d = ch.attr(DRAIN).get();
            if (d == null) {
                ch.close();
            } else {
                d.drain();
            }
        }
    }

    /** Closes the connections with nothing open on them; all of them when {@code force}. */
    void closeIdle(boolean force) {
        for (Channel ch : new ArrayList<>(open)) {
            Drainable d = ch.attr(DRAIN).get();
            if (force) {
                forceClose(ch);
            } else if (d == null || !d.busy()) {
                ch.close();
            }
        }
    }

    boolean isEmpty() {
        return open.isEmpty();
    }

    /**
     * Closes at the socket, past the handlers (an HTTP/2 codec's close would wait for its streams again); the
     * streams and tunnels on it see their connection go.
     */
    static void forceClose(Channel ch) {
        if (ch.pipeline().firstContext() != null) {
            ch.pipeline().firstContext().close();
        } else {
            ch.close();
        }
    }
}
