package net.doublehop.proxyb.flow;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.List;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ServerTiming;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.runtime.listen.ConnectTargets;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.listen.TunnelLimiter;
import net.doublehop.runtime.relay.UdpRelay;
import net.doublehop.runtime.trace.StageRunner;

/**
 * CONNECT-UDP (RFC 9298) over HTTP/1.1: {@code GET <template path>} with {@code Upgrade: connect-udp}. The same
 * stages as {@link ConnectFlow} (authenticate, geohash, egress pool, limit, spend a token, resolve + destination
 * policy), then a UDP socket bound to the chosen egress address instead of a TCP dial, a 101 with
 * {@code Capsule-Protocol: ?1}, and a {@link UdpRelay} between the capsule stream and the socket.
 */
public final class ConnectUdpFlow implements Handler<ProxyExchange> {

    static final String BIND_UDP = "bind-udp";

    static final ProxyFailure NO_ROUTE = ProxyFailure.of(ProxyErrorType.DESTINATION_IP_UNROUTABLE,
            "egress pool has no address of the destination's family");
    static final ProxyFailure BIND_FAILED = ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR,
            "could not open a UDP socket on the egress address");

    private final Vertx vertx;
    private final MasqueUriTemplate template;
    private final AdmissionStages stages;
    private final TunnelLimiter limiter;
    private final TunnelSummary summary;
    private final Duration idleTimeout;

    public ConnectUdpFlow(Vertx vertx, MasqueUriTemplate template, AdmissionStages stages, Duration idleTimeout) {
        this.vertx = vertx;
        this.template = template;
        this.stages = stages;
        this.limiter = stages.limiter();
        this.summary = stages.summary();
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void handle(ProxyExchange req) {
        TunnelContext ctx = stages.begin(req, "connect-udp");
        Object connection = req.connection();
        boolean[] slot = new boolean[1];
        DatagramSocket[] socket = new DatagramSocket[1];
        String[] destination = new String[1];
        Future.<Void>succeededFuture()
                .<Void>map(v -> {
                    StageRunner.run(ctx, AdmissionStages.PARSE, c -> c.target(ConnectTargets.parseUdp(req, template)));
                    stages.admit(ctx, connection);
                    slot[0] = true;
                    return null;
                })
                .compose(v -> stages.spendAndResolve(ctx))
                .compose(v -> StageRunner.runAsync(ctx, BIND_UDP, c -> {
                    List<EgressDialer.Attempt> plan = EgressDialer.plan(
                            net.doublehop.proxyb.egress.RendezvousPicker.rank(ctx.pool(),
                                    ctx.hint() == null ? "" : ctx.hint().geohash(), ctx.target().host()),
                            ctx.destinationAddresses());
                    if (plan.isEmpty()) {
                        return Future.failedFuture(NO_ROUTE);
                    }
                    EgressDialer.Attempt first = plan.get(0);
                    destination[0] = first.destination().getHostAddress();
                    return vertx.createDatagramSocket(new DatagramSocketOptions()
                                    .setIpV6(first.egress() instanceof Inet6Address))
                            .listen(0, first.egress().getHostAddress())
                            .recover(e -> Future.failedFuture(BIND_FAILED))
                            .map(s -> {
                                socket[0] = s;
                                ctx.udpBound(first.egress(), System.nanoTime());
                                return s;
                            });
                }))
                .compose(s -> StageRunner.runAsync(ctx, AdmissionStages.CONFIRM, c -> {
                    io.vertx.core.MultiMap headers = req.responseHeaders();
                    if (!req.isStream()) {
                        headers.set("upgrade", "connect-udp").set("connection", "Upgrade");
                    }
                    headers.set("capsule-protocol", "?1")
                            .set(HeaderNames.SERVER_TIMING,
                                    ServerTiming.entry("proxy", System.nanoTime() - ctx.startNanos()));
                    return req.acceptDatagrams();
                }))
                .onSuccess(client -> {
                    summary.opened(ctx);
                    new UdpRelay(vertx, client, socket[0], destination[0], ctx.target().port(), idleTimeout,
                            result -> {
                                limiter.release(connection);
                                summary.closed(ctx, result);
                            }).start();
                })
                .onFailure(t -> {
                    if (slot[0]) {
                        limiter.release(connection);
                    }
                    if (socket[0] != null) {
                        socket[0].close();
                    }
                    stages.refuse(ctx, t);
                });
    }
}
