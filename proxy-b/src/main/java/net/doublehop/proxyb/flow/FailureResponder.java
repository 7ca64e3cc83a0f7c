package net.doublehop.proxyb.flow;

import io.vertx.core.http.HttpServerResponse;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ProxyStatus;
import net.doublehop.protocol.ServerTiming;

/** Answers a refused tunnel: the failure's status, an RFC 9209 {@code Proxy-Status}, {@code Server-Timing}. */
public final class FailureResponder {

    private final String proxyName;

    public FailureResponder(String proxyName) {
        this.proxyName = proxyName;
    }

    public void respond(TunnelContext ctx, ProxyFailure failure) {
        HttpServerResponse resp = ctx.request().response();
        if (resp.headWritten() || resp.ended() || resp.closed()) {
            return;
        }
        resp.setStatusCode(failure.status());
        resp.putHeader(HeaderNames.PROXY_STATUS, ProxyStatus.format(proxyName, failure));
        resp.putHeader(HeaderNames.SERVER_TIMING, ServerTiming.entry("proxy", System.nanoTime() - ctx.startNanos()));
        if (failure.status() == 407) {
            resp.putHeader(HeaderNames.PROXY_AUTHENTICATE, "Preshared realm=\"" + proxyName + "\"");
        }
        if (failure.status() == 405) {
            resp.putHeader("allow", "CONNECT");
        }
        resp.end();
    }
}
