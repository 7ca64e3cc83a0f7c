package net.doublehop.proxya.flow;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.DatagramBridge;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.relay.UdpRelay;

/**
 * Stage 7, relay, and stage 8, summarize when it ends: the tunnel (bytes) or the datagram bridge (UDP payloads)
 * between the client's end and the next hop's, registered for the idle timeout and shutdown; when it ends its slots
 * are given back, it is counted and, at DEBUG, logged in one line: protocol, method, whether the location was
 * signed, duration and bytes; the client's address, the user and the target (forward mode: the destination;
 * oblivious mode: Proxy B) only with {@code logging.log-sensitive-data}.
 */
public final class TunnelStart {

    private static final Logger LOG = System.getLogger("proxy-a.tunnels");

    private final TunnelRegistry tunnels;
    private final TunnelAdmission admission;
    private final ProxyMetrics metrics;
    private final boolean logSensitive;

    public TunnelStart(TunnelRegistry tunnels, TunnelAdmission admission, ProxyMetrics metrics, boolean logSensitive) {
        this.tunnels = tunnels;
        this.admission = admission;
        this.metrics = metrics;
        this.logSensitive = logSensitive;
    }

    /** The slots back, the counters, and the DEBUG line. */
    private void finished(UserTunnelContext ctx, Tunnel.Summary s) {
        admission.release(ctx);
        metrics.tunnelClosed(ctx.protocol(), ctx.method(), s.bytesFromClient(), s.bytesToClient());
        FlowTracing.closed(ctx, s);
        // DEBUG, not INFO: one synchronous console line per tunnel costs more than the tunnel at high rates.
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "tunnel closed protocol={0} method={1} signed={2} duration_ms={3} "
                    + "bytes_from_client={4} bytes_to_client={5}{6}{7}", ctx.protocol(), ctx.method(),
                    ctx.location().isPresent(), s.durationNanos() / 1_000_000, s.bytesFromClient(),
                    s.bytesToClient(), s.idleTimedOut() ? " idle_timeout=true" : "",
                    logSensitive ? " client=" + ctx.request().remoteHost() + " user=" + UserKeys.loggable(ctx.user()) + " target="
                            + (ctx.target() == null ? "-" : ctx.target().authority()) : "");
        }
    }

    public void relay(UserTunnelContext ctx, Tunnel.Legs legs) {
        // What accept() sent: 101 for an HTTP/1.1 upgrade (CONNECT-UDP), 200 for CONNECT and extended CONNECT.
        metrics.requestAnswered(ctx.protocol(), ctx.method(), ctx.request().status(), "none");
        metrics.tunnelOpened();
        FlowTracing.opened(ctx, ctx.request().status());
        boolean stream = ctx.request().isStream();
        Tunnel[] self = new Tunnel[1];
        self[0] = new Tunnel(legs, stream, System.nanoTime(),
                firstByte -> metrics.firstByteLatency("none", firstByte),
                summary -> {
                    tunnels.remove(self[0]);
                    finished(ctx, summary);
                });
        tunnels.add(self[0]);
        self[0].start();
        if (stream) {
            // As at B: a client's RST_STREAM after its half-close no longer reaches its data end.
            ctx.request().resetHandler(() -> self[0].abort());
        }
    }

    public void bridge(UserTunnelContext ctx, NextHopAnswers.DatagramLegs legs) {
        metrics.requestAnswered(ctx.protocol(), ctx.method(), ctx.request().status(), "none");
        metrics.tunnelOpened();
        FlowTracing.opened(ctx, ctx.request().status());
        DatagramBridge[] self = new DatagramBridge[1];
        self[0] = new DatagramBridge(legs.client(), legs.upstream(), summary -> {
            tunnels.remove(self[0]);
            finished(ctx, summary);
        });
        tunnels.add(self[0]);
        self[0].start();
    }

    /**
     * Oblivious mode's CONNECT-UDP: the client's flow relayed to Proxy B's QUIC port from {@code socket}, whole UDP
     * payloads both ways; it closes itself when idle for {@code idleTimeout} (it is not in the registry).
     */
    public void udpRelay(Vertx vertx, UserTunnelContext ctx, DatagramEnd client, DatagramSocket socket, String host,
            int port, Duration idleTimeout) {
        metrics.requestAnswered(ctx.protocol(), ctx.method(), ctx.request().status(), "none");
        metrics.tunnelOpened();
        FlowTracing.opened(ctx, ctx.request().status());
        new UdpRelay(vertx, client, socket, host, port, idleTimeout, summary -> finished(ctx, summary)).start();
    }
}
