package net.doublehop.proxyb.flow;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.NetSocket;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ServerTiming;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelRegistry;

/**
 * Proxy B's request flow: parse → authenticate → locate/verify → policy → resolve/guard → dial →
 * confirm → relay → summarize (docs/request-flow.md). Each stage is its own class; this one only
 * sequences them and turns any failure into one answer.
 */
public final class ConnectFlow implements Handler<HttpServerRequest> {


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
    public void handle(HttpServerRequest req) {
        TunnelContext ctx = new TunnelContext(req, protocolOf(req.version()), System.nanoTime());
        HttpConnection connection = req.connection();
        boolean[] slot = new boolean[1];
        Future.<Void>succeededFuture()
                .<Void>map(v -> {
                    parser.apply(ctx);
                    stages.admit(ctx, connection);
                    slot[0] = true;
                    return null;
                })
                .compose(v -> stages.spendAndResolve(ctx))
                .compose(v -> dialer.apply(ctx))
                .compose(v -> confirm(ctx))
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

    /** Stage 7, confirm: a 2xx with Server-Timing, and the request becomes the client leg of the tunnel. */
    private static Future<NetSocket> confirm(TunnelContext ctx) {
        ctx.request().response().putHeader(HeaderNames.SERVER_TIMING,
                ServerTiming.entry("proxy", System.nanoTime() - ctx.startNanos()));
        return ctx.request().toNetSocket();
    }

    /** Stage 8, relay; stage 9, summarize when it ends. */
    private void relay(TunnelContext ctx, NetSocket client, HttpConnection connection) {
        summary.opened(ctx);
        Tunnel[] self = new Tunnel[1];
        boolean stream = !"h1".equals(ctx.protocol());
        Tunnel.Legs legs = new Tunnel.Legs(client, ctx.destination());
        if (stream) {
            legs = legs.withResetClient(() -> ctx.request().response().reset());
        }
        self[0] = new Tunnel(legs, stream, System.nanoTime(),
                firstByteNanos -> summary.firstByte(ctx, firstByteNanos),
                result -> {
                    tunnels.remove(self[0]);
                    limiter.release(connection);
                    summary.closed(ctx, result);
                });
        tunnels.add(self[0]);
        self[0].start();
        if (stream) {
            // Once the client has half-closed, Vert.x reports its stream socket closed and a later RST_STREAM
            // (the client gave up) reaches only the response: without this the tunnel would wait for the
            // destination, holding the stream.
            ctx.request().response().exceptionHandler(t -> self[0].abort());
        }
    }

    static String protocolOf(HttpVersion version) {
        return net.doublehop.runtime.server.Protocols.label(version);
    }
}
