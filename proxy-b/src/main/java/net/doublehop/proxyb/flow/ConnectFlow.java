package net.doublehop.proxyb.flow;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ServerTiming;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.listen.TunnelLimiter;
import net.doublehop.runtime.trace.StageRunner;

/**
 * Proxy B's request flow: parse → authenticate → locate/verify → policy → resolve/guard → dial →
 * confirm → relay → summarize (docs/request-flow.md). Each stage is its own class; this one only
 * sequences them (through {@link StageRunner}, which traces them) and turns any failure into one answer.
 */
public final class ConnectFlow implements Handler<ProxyExchange> {

    static final String DIAL = "dial";

    private final RequestParser parser;
    private final AdmissionStages stages;
    private final TunnelLimiter limiter;
    private final EgressDialer dialer;
    private final TunnelRegistry tunnels;
    private final TunnelSummary summary;

    public ConnectFlow(RequestParser parser, AdmissionStages stages, EgressDialer dialer, TunnelRegistry tunnels) {
        this.parser = parser;
        this.stages = stages;
        this.limiter = stages.limiter();
        this.dialer = dialer;
        this.tunnels = tunnels;
        this.summary = stages.summary();
    }

    @Override
    public void handle(ProxyExchange req) {
        TunnelContext ctx = stages.begin(req, "connect");
        Object connection = req.connection();
        boolean[] slot = new boolean[1];
        Future.<Void>succeededFuture()
                .<Void>map(v -> {
                    StageRunner.run(ctx, AdmissionStages.PARSE, parser);
                    stages.admit(ctx, connection);
                    slot[0] = true;
                    return null;
                })
                .compose(v -> stages.spendAndResolve(ctx))
                .compose(v -> StageRunner.runAsync(ctx, DIAL, dialer))
                .compose(v -> StageRunner.runAsync(ctx, AdmissionStages.CONFIRM, ConnectFlow::confirm))
                .onSuccess(client -> relay(ctx, client, connection))
                .onFailure(t -> {
                    if (slot[0]) {
                        limiter.release(connection);
                    }
                    if (ctx.destination() != null) {
                        ctx.destination().close(); // the client left while we were dialling
                    }
                    stages.refuse(ctx, t);
                });
    }

    /** Stage 7, confirm: a 2xx with Server-Timing, and the request becomes the client end of the tunnel. */
    private static Future<TunnelEnd> confirm(TunnelContext ctx) {
        ctx.request().responseHeaders().set(HeaderNames.SERVER_TIMING,
                ServerTiming.entry("proxy", System.nanoTime() - ctx.startNanos()));
        return ctx.request().accept();
    }

    /** Stage 8, relay; stage 9, summarize when it ends. */
    private void relay(TunnelContext ctx, TunnelEnd client, Object connection) {
        summary.opened(ctx);
        Tunnel[] self = new Tunnel[1];
        boolean stream = ctx.request().isStream();
        self[0] = new Tunnel(new Tunnel.Legs(client, ctx.destination()), stream, System.nanoTime(),
                firstByteNanos -> summary.firstByte(ctx, firstByteNanos),
                result -> {
                    tunnels.remove(self[0]);
                    limiter.release(connection);
                    summary.closed(ctx, result);
                });
        tunnels.add(self[0]);
        self[0].start();
        if (stream) {
            // A client's RST_STREAM after its half-close no longer reaches the stream's data end: without this
            // the tunnel would wait for the destination, holding the stream.
            ctx.request().resetHandler(() -> self[0].abort());
        }
    }
}
