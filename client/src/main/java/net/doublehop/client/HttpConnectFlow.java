package net.doublehop.client;

import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import net.doublehop.runtime.vertx.LoopContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ProxyStatus;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.listen.ConnectTargets;
import net.doublehop.runtime.listen.FailureResponses;
import net.doublehop.runtime.listen.ProxyExchange;

/**
 * The local HTTP CONNECT proxy's flow, on the proxies' own TCP listener (cleartext HTTP/1.1 and h2c): each CONNECT
 * goes to the {@link Upstream}; its answer comes back as is (with our Proxy-Status entry after the hops' own,
 * RFC 9209 §2), and a 2xx becomes a relayed tunnel.
 */
final class HttpConnectFlow implements Handler<ProxyExchange> {

    static final String NAME = "doublehop-client";
    private static final Logger LOG = System.getLogger("doublehop-client");

    /** A refused our credential: the local user cannot fix that with a proxy login, so it is not a 407 here. */
    static final ProxyFailure CREDENTIAL_REFUSED = new ProxyFailure(ProxyErrorType.PROXY_CONFIGURATION_ERROR, 502,
            "Proxy A refused the client's credential");
    static final ProxyFailure UNREACHABLE = new ProxyFailure(ProxyErrorType.DESTINATION_UNAVAILABLE, 502,
            "cannot reach the proxies");

    private final Upstream upstream;
    private final FailureResponses failures = new FailureResponses(NAME, NAME, java.util.List.of());

    HttpConnectFlow(Upstream upstream) {
        this.upstream = upstream;
    }

    @Override
    public void handle(ProxyExchange req) {
        long start = System.nanoTime();
        ConnectTarget target;
        try {
            target = ConnectTargets.parse(req);
        } catch (ProxyFailure f) {
            failures.respond(req, start, f);
            return;
        }
        Promise<Void> gone = Promise.promise();
        req.resetHandler(gone::tryComplete);
        // the listener's context: the answer, the accept and the relay stay on its event loop
        upstream.openTcp(LoopContext.of(Vertx.currentContext()), target, gone.future()).onComplete(ar -> {
            if (ar.failed()) {
                LOG.log(Level.DEBUG, "tunnel setup failed: {0}", ar.cause().toString());
                failures.respond(req, start, ar.cause() instanceof ProxyFailure f ? f : UNREACHABLE);
                return;
            }
            NextHopAnswer answer = ar.result();
            if (answer.status() / 100 != 2) {
                refuse(req, start, answer);
                return;
            }
            req.accept().onComplete(local -> {
                if (local.failed()) {
                    answer.abandon();
                } else {
                    LocalTunnels.relay(local.result(), req.isStream(), answer);
                }
            });
        });
    }

    /** The hops' refusal, passed on: their status and Proxy-Status entries, then ours. */
    private void refuse(ProxyExchange req, long start, NextHopAnswer answer) {
        answer.abandon();
        if (answer.status() == 407) {
            failures.respond(req, start, CREDENTIAL_REFUSED, answer.header(HeaderNames.PROXY_STATUS),
                    answer.header(HeaderNames.SERVER_TIMING));
            return;
        }
        String theirs = answer.header(HeaderNames.PROXY_STATUS);
        String mine = ProxyStatus.formatSuccess(NAME);
        req.responseHeaders().set(HeaderNames.PROXY_STATUS, theirs == null ? mine : theirs + ", " + mine);
        String timing = answer.header(HeaderNames.SERVER_TIMING);
        if (timing != null) {
            req.responseHeaders().set(HeaderNames.SERVER_TIMING, timing);
        }
        int status = answer.status() >= 400 && answer.status() < 600 ? answer.status() : 502;
        req.respond(status);
    }
}
