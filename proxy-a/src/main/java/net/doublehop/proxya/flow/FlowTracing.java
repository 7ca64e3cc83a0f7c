package net.doublehop.proxya.flow;

import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.trace.TunnelTrace;

/**
 * How a traced tunnel at Proxy A ends (docs/operations.md, "Tracing"): its answer, its refusal, or its close with
 * the byte counts. The stages' own spans come from {@code StageRunner}. Attributes that name the user, the client's
 * address or where it goes are offered as sensitive, so they stay out unless {@code logging.log-sensitive-data}.
 */
final class FlowTracing {

    private FlowTracing() {
    }

    /** The tunnel was answered with {@code status} and now relays. */
    static void opened(UserTunnelContext ctx, int status) {
        TunnelTrace trace = ctx.trace();
        if (trace != null) {
            describe(ctx, trace);
            trace.opened(status);
        }
    }

    /** The request was answered {@code status} without a tunnel, for {@code errorType} (RFC 9209). */
    static void refused(UserTunnelContext ctx, int status, String errorType) {
        TunnelTrace trace = ctx.trace();
        if (trace != null) {
            describe(ctx, trace);
            trace.refused(status, errorType);
        }
    }

    static void closed(UserTunnelContext ctx, Tunnel.Summary summary) {
        TunnelTrace trace = ctx.trace();
        if (trace != null) {
            trace.closed(summary.bytesFromClient(), summary.bytesToClient(), summary.idleTimedOut());
        }
    }

    private static void describe(UserTunnelContext ctx, TunnelTrace trace) {
        trace.tag(TunnelTrace.LOCATED, ctx.location().isPresent()).tag(TunnelTrace.CALLER, UserKeys.scheme(ctx.user()));
        if (trace.keepsSensitive()) {
            trace.sensitive(TunnelTrace.USER, UserKeys.name(ctx.user()))
                    .sensitive(TunnelTrace.CLIENT_ADDRESS, ctx.request().remoteHost());
            if (ctx.target() != null) {
                trace.sensitive(TunnelTrace.DESTINATION_ADDRESS, ctx.target().host())
                        .sensitive(TunnelTrace.DESTINATION_PORT, (long) ctx.target().port());
            }
            ctx.location().ifPresent(l -> trace.sensitive(TunnelTrace.GEOHASH, l.geohash()));
        }
    }
}
