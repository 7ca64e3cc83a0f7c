package net.doublehop.runtime.server;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import net.doublehop.runtime.metrics.ProxyMetrics;

/**
 * A listener's connection handler: counts connections by protocol and their lifetimes, and takes their
 * errors. A peer that resets or drops a TLS connection is ordinary network weather, not a proxy fault, and
 * without a handler Vert.x logs each one as SEVERE; here it is a DEBUG line naming only the error's class
 * (never the peer's address).
 */
public final class ConnectionTracker implements Handler<HttpConnection> {

    private static final Logger LOG = System.getLogger("proxy.connections");

    private final ProxyMetrics metrics;

    public ConnectionTracker(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpConnection conn) {
        long opened = System.nanoTime();
        // ALPN has settled by the time the connection handler runs.
        String protocol = Protocols.label(conn.protocolVersion());
        metrics.connectionOpened(protocol);
        conn.closeHandler(v -> metrics.connectionClosed(protocol, System.nanoTime() - opened));
        conn.exceptionHandler(ConnectionTracker::logQuietly);
    }

    /** For connections that are not a listener's too (A's connections to B). */
    public static void logQuietly(Throwable t) {
        LOG.log(Level.DEBUG, "connection error: {0}", t.getClass().getName());
    }
}
