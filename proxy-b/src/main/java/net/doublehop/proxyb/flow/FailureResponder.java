package net.doublehop.proxyb.flow;

import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.listen.FailureResponses;

/** Answers a refused tunnel: the failure's status, an RFC 9209 {@code Proxy-Status}, {@code Server-Timing}. */
public final class FailureResponder {

    private final FailureResponses responses;

    /** @param challenges the {@code Proxy-Authenticate} values of a 407, one per scheme B accepts */
    public FailureResponder(String proxyName, java.util.List<String> challenges) {
        this.responses = new FailureResponses(proxyName, "proxy", challenges);
    }

    /** As above, counting each refusal by its error type in {@code metrics}. */
    public FailureResponder(String proxyName, java.util.List<String> challenges,
            net.doublehop.runtime.metrics.ProxyMetrics metrics) {
        this.responses = new FailureResponses(proxyName, "proxy", challenges, f -> metrics.refused(f.type().token()));
    }

    public void respond(TunnelContext ctx, ProxyFailure failure) {
        responses.respond(ctx.request(), ctx.startNanos(), failure);
    }
}
