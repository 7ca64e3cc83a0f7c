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
        trace.tag(TunnelTrace.LOCATED, ctx.location().isPresent()).tag(TunnelTrace.CALLER, scheme(ctx.user()));
        if (trace.keepsSensitive()) {
            trace.sensitive(TunnelTrace.USER, name(ctx.user()))
                    .sensitive(TunnelTrace.CLIENT_ADDRESS, ctx.request().remoteHost());
            if (ctx.target() != null) {
                trace.sensitive(TunnelTrace.DESTINATION_ADDRESS, ctx.target().host())
                        .sensitive(TunnelTrace.DESTINATION_PORT, (long) ctx.target().port());
            }
            ctx.location().ifPresent(l -> trace.sensitive(TunnelTrace.GEOHASH, l.geohash()));
        }
    }

    /** How the user authenticated, from {@link UserAuthenticator}'s key ({@code user:}, {@code cert:}, ...). */
    private static String scheme(String user) {
        if (user == null) {
            return null;
        }
        return user.startsWith("user:") ? "basic" : user.startsWith("cert:") ? "mtls"
                : user.startsWith("token:") ? "privacy-pass" : "preshared-key";
    }

    /**
     * The user's name (Basic) or certificate name; a Privacy Pass user has none, and its key holds the token's
     * nonce, which no span gets even with sensitive data on.
     */
    private static String name(String user) {
        if (user == null || user.startsWith("token:")) {
            return null;
        }
        int colon = user.indexOf(':');
        return colon < 0 ? null : user.substring(colon + 1);
    }
}
