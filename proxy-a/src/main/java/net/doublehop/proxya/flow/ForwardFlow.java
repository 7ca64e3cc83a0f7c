package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.trace.StageRunner;

/**
 * Proxy A's forward-mode flow (docs/request-flow.md): parse → authenticate the user → admit → locate and sign →
 * CONNECT to B on the pooled connection → B's answer becomes ours → relay → summarize. Each stage is its own class
 * over one {@link UserTunnelContext}; this one only sequences them (through {@link StageRunner}, which traces them),
 * and any failure ends in {@link RefusalAnswer}.
 */
public final class ForwardFlow implements Handler<ProxyExchange> {

    static final String CONNECT_B = "connect-b";
    static final String CONFIRM = "confirm";

    private final FlowStages stages;
    private final NextHopRequest nextHop;
    private final NextHopAnswers answers;

    public ForwardFlow(FlowStages stages, NextHopRequest nextHop, NextHopAnswers answers) {
        this.stages = stages;
        this.nextHop = nextHop;
        this.answers = answers;
    }

    @Override
    public void handle(ProxyExchange req) {
        UserTunnelContext ctx = UserTunnelContext.of(req, stages.tracing(), "forward");
        Future.<Void>succeededFuture()
                .<Void>map(v -> {
                    StageRunner.run(ctx, FlowStages.PARSE, stages.parser());
                    return null;
                })
                .compose(v -> StageRunner.runAsync(ctx, FlowStages.AUTHENTICATE, stages.authentication()))
                .compose(v -> stages.admitAndLocate(ctx))
                .compose(v -> StageRunner.runAsync(ctx, CONNECT_B, nextHop))
                .compose(b -> StageRunner.runAsync(ctx, CONFIRM, c -> c.udp()
                        ? answers.udp(c, b).<Runnable>map(legs -> () -> stages.tunnels().bridge(c, legs))
                        : answers.tcp(c, b).<Runnable>map(legs -> () -> stages.tunnels().relay(c, legs))))
                .onSuccess(Runnable::run)
                .onFailure(t -> stages.refusal().refuse(ctx, t));
    }
}
