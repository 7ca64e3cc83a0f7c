package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import net.doublehop.runtime.listen.ProxyExchange;

/**
 * Proxy A's forward-mode flow (docs/request-flow.md): parse → authenticate the user → admit → locate and sign →
 * CONNECT to B on the pooled connection → B's answer becomes ours → relay → summarize. Each stage is its own class
 * over one {@link UserTunnelContext}; this one only sequences them, and any failure ends in {@link RefusalAnswer}.
 */
public final class ForwardFlow implements Handler<ProxyExchange> {

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
        UserTunnelContext ctx = UserTunnelContext.of(req);
        Future.<Void>succeededFuture()
                .<Void>map(v -> {
                    stages.parser().apply(ctx);
                    return null;
                })
                .compose(v -> stages.authentication().apply(ctx))
                .compose(v -> stages.admitAndLocate(ctx))
                .compose(v -> nextHop.apply(ctx))
                .compose(b -> ctx.udp()
                        ? answers.udp(ctx, b).<Runnable>map(legs -> () -> stages.tunnels().bridge(ctx, legs))
                        : answers.tcp(ctx, b).<Runnable>map(legs -> () -> stages.tunnels().relay(ctx, legs)))
                .onSuccess(Runnable::run)
                .onFailure(t -> stages.refusal().refuse(ctx, t));
    }
}
