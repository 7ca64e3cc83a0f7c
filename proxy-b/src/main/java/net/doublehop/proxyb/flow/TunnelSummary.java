package net.doublehop.proxyb.flow;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.Tunnel;

/**
 * Stage 9, summarize: metrics and one log line per tunnel. By default the line carries nothing that
 * identifies the user or the destination; {@code logging.log-sensitive-data: true} adds both and the
 * proxy says so at start.
 */
public final class TunnelSummary {

    private static final Logger LOG = System.getLogger("proxy-b.tunnels");

    private final ProxyMetrics metrics;
    private final boolean sensitive;

    public TunnelSummary(ProxyMetrics metrics, boolean sensitive) {
        this.metrics = metrics;
        this.sensitive = sensitive;
    }

    /** After the request was accepted: its status label is what accept() sent (101 for an HTTP/1.1 upgrade). */
    void opened(TunnelContext ctx) {
        metrics.tunnelOpened();
        metrics.requestAnswered(ctx.protocol(), ctx.method(), ctx.request().status(), ctx.poolLabel());
        metrics.connectLatency(ctx.poolLabel(), ctx.connectedNanos() - ctx.startNanos());
        FlowTracing.opened(ctx, ctx.request().status());
    }

    void firstByte(TunnelContext ctx, long nanos) {
        metrics.firstByteLatency(ctx.poolLabel(), nanos);
    }

    void closed(TunnelContext ctx, Tunnel.Summary s) {
        metrics.tunnelClosed(ctx.protocol(), ctx.method(), s.bytesFromClient(), s.bytesToClient());
        FlowTracing.closed(ctx, s);
        // DEBUG, not INFO: one synchronous console line per tunnel costs more than the tunnel at high rates.
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "tunnel closed protocol={0} pool={1} signed={2} duration_ms={3} "
                    + "bytes_from_client={4} bytes_to_client={5}{6}{7}",
                    ctx.protocol(), ctx.poolLabel(), ctx.hintSigned(), s.durationNanos() / 1_000_000,
                    s.bytesFromClient(), s.bytesToClient(), s.idleTimedOut() ? " idle_timeout=true" : "",
                    sensitiveSuffix(ctx));
        }
    }

    void refused(TunnelContext ctx, ProxyFailure f) {
        metrics.requestAnswered(ctx.protocol(), ctx.method(), f.status(), ctx.poolLabel());
        FlowTracing.refused(ctx, f);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "tunnel refused protocol={0} status={1} error={2}{3}", ctx.protocol(),
                    f.status(), f.type().token(), sensitiveSuffix(ctx));
        }
    }

    void internalError(Throwable t) {
        // The exception's class only: messages of network exceptions embed addresses.
        LOG.log(Level.WARNING, "internal error while setting up a tunnel: {0}", t.getClass().getName());
    }

    private String sensitiveSuffix(TunnelContext ctx) {
        if (!sensitive) {
            return "";
        }
        String client = String.valueOf(ctx.request().remoteHost());
        String dest = ctx.target() == null ? "-" : ctx.target().authority();
        String egress = ctx.egressAddress() == null ? "-" : ctx.egressAddress().getHostAddress();
        return " [sensitive] client=" + client + " destination=" + dest + " egress=" + egress;
    }
}
