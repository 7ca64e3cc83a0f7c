package net.doublehop.proxya.flow;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.listen.FailureResponses;
import net.doublehop.runtime.listen.ProxyExchange;

/**
 * The one place a request that did not become a tunnel is answered and counted: its slots are given back, a
 * {@link ProxyFailure} becomes its status and {@code Proxy-Status} (anything else is a 500
 * {@code proxy_internal_error}, logged by class name only), and a refusal B already answered is only counted.
 */
public final class RefusalAnswer {

    private static final Logger LOG = System.getLogger("proxy-a.tunnels");
    static final ProxyFailure INTERNAL = ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR, "unexpected proxy error");

    /** The metrics status of a request whose client left before it was answered; never sent. */
    static final int CLIENT_CLOSED_REQUEST = ProxyExchange.CLIENT_GONE.status();

    private final FailureResponses failures;
    private final TunnelAdmission admission;
    private final ProxyMetrics metrics;

    public RefusalAnswer(String proxyName, List<String> challenges, TunnelAdmission admission, ProxyMetrics metrics) {
        this.failures = new FailureResponses(proxyName, proxyName, challenges, f -> metrics.refused(f.type().token()));
        this.admission = admission;
        this.metrics = metrics;
    }

    public void refuse(UserTunnelContext ctx, Throwable t) {
        admission.release(ctx);
        boolean passedBack = t instanceof NextHopAnswers.PassedBack;
        ProxyFailure f = t instanceof ProxyFailure pf ? pf : INTERNAL;
        if (f == INTERNAL && !passedBack) {
            LOG.log(Level.WARNING, "internal error while setting up a tunnel: {0}", t.getClass().getName());
        }
        if (!passedBack) {
            failures.respond(ctx.request(), ctx.startNanos(), f);
        }
        int status = answeredStatus(ctx, t);
        metrics.requestAnswered(ctx.protocol(), ctx.method(), status, "none");
        FlowTracing.refused(ctx, status, passedBack ? "next_hop_refused" : f.type().token());
    }

    /**
     * The status label of a request that did not become a tunnel: what was sent, or 499 (nginx's "client closed
     * request") when the client went away before any answer, rather than the exchange's untouched default 200.
     */
    private static int answeredStatus(UserTunnelContext ctx, Throwable failure) {
        boolean gone = failure == ProxyExchange.CLIENT_GONE
                || ctx.clientGone().isComplete() && !(failure instanceof NextHopAnswers.PassedBack);
        return gone ? CLIENT_CLOSED_REQUEST : ctx.request().status();
    }
}
