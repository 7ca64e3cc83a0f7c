package net.doublehop.proxyb.flow;

import io.vertx.core.Future;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.listen.TunnelLimiter;

/**
 * The stages CONNECT and CONNECT-UDP share (docs/request-flow.md, 2–5): authenticate, geohash, egress pool, tunnel
 * slot, then spend a Privacy Pass token and resolve the destination under the policy; and the one way a refusal is
 * answered and counted. Each flow adds its own parse before and its own connect (TCP dial or UDP bind) after.
 */
public record AdmissionStages(CallerAuthenticator authenticator, GeohashCheck geohash, EgressSelection egress,
        TunnelLimiter limiter, DestinationResolver resolver, FailureResponder responder, TunnelSummary summary) {

    static final ProxyFailure INTERNAL =
            ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR, "unexpected proxy error");

    /** The synchronous checks; on success a tunnel slot is held and must be released. */
    void admit(TunnelContext ctx, Object connection) {
        authenticator.apply(ctx);
        geohash.apply(ctx);
        egress.apply(ctx);
        limiter.acquire(connection);
    }

    /** After {@link #admit}: the token is spent only now, then the destination is resolved and checked. */
    Future<Void> spendAndResolve(TunnelContext ctx) {
        return authenticator.spendToken(ctx).compose(v -> resolver.apply(ctx));
    }

    /** Answers a refused request with its status, Proxy-Status and Server-Timing, and counts it. */
    void refuse(TunnelContext ctx, Throwable t) {
        ProxyFailure failure = t instanceof ProxyFailure f ? f
                : ctx.request().answered() ? ProxyExchange.CLIENT_GONE : INTERNAL;
        if (failure == INTERNAL) {
            summary.internalError(t);
        }
        responder.respond(ctx, failure);
        summary.refused(ctx, failure);
    }
}
