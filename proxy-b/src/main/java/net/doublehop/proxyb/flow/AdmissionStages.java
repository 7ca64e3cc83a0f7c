package net.doublehop.proxyb.flow;

import io.vertx.core.Future;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.listen.TunnelLimiter;
import net.doublehop.runtime.trace.StageRunner;
import net.doublehop.runtime.trace.TunnelTracing;

/**
 * The stages CONNECT and CONNECT-UDP share (docs/request-flow.md, 2–5): authenticate, geohash, egress pool, tunnel
 * slot, then spend a Privacy Pass token and resolve the destination under the policy; and the one way a refusal is
 * answered and counted. Each flow adds its own parse before and its own connect (TCP dial or UDP bind) after. Every
 * stage runs through {@link StageRunner}, which traces it when {@code tracing} picked the tunnel; the names below
 * are the spans'.
 */
public record AdmissionStages(CallerAuthenticator authenticator, GeohashCheck geohash, EgressSelection egress,
        TunnelLimiter limiter, DestinationResolver resolver, FailureResponder responder, TunnelSummary summary,
        TunnelTracing tracing) {

    static final ProxyFailure INTERNAL =
            ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR, "unexpected proxy error");

    static final String PARSE = "parse";
    static final String AUTHENTICATE = "authenticate";
    static final String VERIFY_GEOHASH = "verify-geohash";
    static final String SELECT_EGRESS = "select-egress";
    static final String LIMIT = "limit";
    static final String SPEND_TOKEN = "spend-token";
    static final String RESOLVE = "resolve";
    static final String CONFIRM = "confirm";

    /** A request's context, traced or not as {@code tracing} decides. */
    TunnelContext begin(ProxyExchange req, String method) {
        return new TunnelContext(req, method, System.nanoTime(), tracing.begin());
    }

    /** The synchronous checks; on success a tunnel slot is held and must be released. */
    void admit(TunnelContext ctx, Object connection) {
        StageRunner.run(ctx, AUTHENTICATE, authenticator);
        StageRunner.run(ctx, VERIFY_GEOHASH, geohash);
        StageRunner.run(ctx, SELECT_EGRESS, egress);
        StageRunner.run(ctx, LIMIT, c -> limiter.acquire(connection));
    }

    /** After {@link #admit}: the token is spent only now, then the destination is resolved and checked. */
    Future<Void> spendAndResolve(TunnelContext ctx) {
        Future<Void> spent = ctx.caller() == TunnelContext.Caller.PRIVACY_PASS
                ? StageRunner.runAsync(ctx, SPEND_TOKEN, authenticator::spendToken)
                : authenticator.spendToken(ctx);
        return spent.compose(v -> StageRunner.runAsync(ctx, RESOLVE, resolver));
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
