package net.doublehop.runtime.listen;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * Errors of connections nobody waits on (A's connections to B): a peer that resets or drops a TLS connection is
 * ordinary network weather, not a proxy fault, and without a handler Vert.x logs each one as SEVERE; here it is a
 * DEBUG line naming only the error's class (never the peer's address). The listeners count and log their own
 * connections (TcpConnections, Http3Listener).
 */
public final class ConnectionTracker {

    private static final Logger LOG = System.getLogger("proxy.connections");

    private ConnectionTracker() {
    }

    public static void logQuietly(Throwable t) {
        LOG.log(Level.DEBUG, "connection error: {0}", t.getClass().getName());
    }
}
