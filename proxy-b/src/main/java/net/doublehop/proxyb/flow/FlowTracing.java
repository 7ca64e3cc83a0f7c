package net.doublehop.proxyb.flow;

import java.util.Locale;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.trace.TunnelTrace;

/**
 * How a traced tunnel at Proxy B ends (docs/operations.md, "Tracing"): its answer, its refusal, or its close with
 * the byte counts. The stages' own spans come from {@code StageRunner}. The caller's address, the destination, the
 * egress address and the geohash are offered as sensitive, so they stay out unless
 * {@code logging.log-sensitive-data}.
 */
final class FlowTracing {

    private FlowTracing() {
    }

    static void opened(TunnelContext ctx, int status) {
        TunnelTrace trace = ctx.trace();
        if (trace != null) {
            describe(ctx, trace);
            trace.opened(status);
        }
    }

    static void refused(TunnelContext ctx, ProxyFailure failure) {
        TunnelTrace trace = ctx.trace();
        if (trace != null) {
            describe(ctx, trace);
            trace.refused(failure.status(), failure.type().token());
        }
    }

    static void closed(TunnelContext ctx, Tunnel.Summary summary) {
        TunnelTrace trace = ctx.trace();
        if (trace != null) {
            trace.closed(summary.bytesFromClient(), summary.bytesToClient(), summary.idleTimedOut());
        }
    }

    private static void describe(TunnelContext ctx, TunnelTrace trace) {
        // the pool's configured name, as in the metrics' pool label; never anything the caller sent
        trace.tag(TunnelTrace.POOL, ctx.pool() == null ? null : ctx.pool().name())
                .tag(TunnelTrace.CALLER, ctx.caller() == null ? null
                        : ctx.caller().name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (ctx.hint() != null) {
            trace.tag(TunnelTrace.GEOHASH_SIGNED, ctx.hintSigned());
        }
        if (trace.keepsSensitive()) {
            trace.sensitive(TunnelTrace.CLIENT_ADDRESS, ctx.request().remoteHost());
            if (ctx.target() != null) {
                trace.sensitive(TunnelTrace.DESTINATION_ADDRESS, ctx.target().host())
                        .sensitive(TunnelTrace.DESTINATION_PORT, (long) ctx.target().port());
            }
            if (ctx.egressAddress() != null) {
                trace.sensitive(TunnelTrace.EGRESS_ADDRESS, ctx.egressAddress().getHostAddress());
            }
            if (ctx.hint() != null) {
                trace.sensitive(TunnelTrace.GEOHASH, ctx.hint().geohash());
            }
        }
    }
}
