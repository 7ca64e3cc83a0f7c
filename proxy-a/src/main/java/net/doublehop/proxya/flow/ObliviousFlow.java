package net.doublehop.proxya.flow;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import net.doublehop.runtime.vertx.LoopContext;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ServerTiming;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.transport.TcpTunnelEnd;
import net.doublehop.runtime.trace.AsyncStage;
import net.doublehop.runtime.trace.Stage;
import net.doublehop.runtime.trace.StageRunner;

/**
 * Proxy A's oblivious-mode flow (docs/request-flow.md, "Oblivious mode"), the iCloud Private Relay split: the user's
 * CONNECT (CONNECT-UDP) names a configured Proxy B, not a destination. A runs the shared stages — parse,
 * authenticate, admit, locate and sign — then dials B's address itself and answers 200 with the signed geohash
 * ({@code sec-ch-geohash}, {@code Signature-Input}, {@code Signature}), which the client presents to B inside the
 * tunnel. From then on A relays bytes (datagrams) blindly: the client's TLS (QUIC) session with B, whose contents —
 * the destination above all — A never parses, logs or counts. Any other target is refused with 403. The stages run
 * through {@link StageRunner}, which traces them; a trace never names B's address unless
 * {@code logging.log-sensitive-data} is on.
 */
public final class ObliviousFlow implements Handler<ProxyExchange> {

    /** In oblivious mode a tunnel may only lead to a configured Proxy B (RFC 9209 §2.3.17). */
    static final ProxyFailure NOT_A_PROXY_B = ProxyFailure.denied("oblivious mode: tunnels only to a configured Proxy B");
    static final ProxyFailure B_REFUSED = new ProxyFailure(ProxyErrorType.CONNECTION_REFUSED, 502,
            "Proxy B refused the connection");
    static final ProxyFailure B_TIMEOUT = new ProxyFailure(ProxyErrorType.CONNECTION_TIMEOUT, 504,
            "no connection to Proxy B in time");
    static final ProxyFailure B_UNKNOWN = new ProxyFailure(ProxyErrorType.DNS_ERROR, 502,
            "Proxy B's name does not resolve");
    static final ProxyFailure B_UNAVAILABLE = new ProxyFailure(ProxyErrorType.DESTINATION_UNAVAILABLE, 502,
            "Proxy B unavailable");

    private final Vertx vertx;
    private final FlowStages stages;
    private final ProxyAConfig.Oblivious settings;
    private final String proxyName;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    /** Stage 1 here: the target parsed, and it must be a configured Proxy B. */
    private final Stage<UserTunnelContext> parse;
    private final AsyncStage<UserTunnelContext, InetAddress> resolveB = this::resolve;

    static final String RESOLVE_B = "resolve-b";
    static final String DIAL_B = "dial-b";

    public ObliviousFlow(Vertx vertx, FlowStages stages, ProxyAConfig.Oblivious settings, String proxyName,
            Duration connectTimeout, Duration idleTimeout) {
        this.vertx = vertx;
        this.stages = stages;
        this.settings = settings;
        this.proxyName = proxyName;
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        this.parse = ctx -> {
            stages.parser().apply(ctx);
            if (!settings.isTarget(ctx.target())) {
                throw NOT_A_PROXY_B;
            }
        };
    }

    @Override
    public void handle(ProxyExchange req) {
        LoopContext context = LoopContext.of(Vertx.currentContext());
        UserTunnelContext ctx = UserTunnelContext.of(req, stages.tracing(), "oblivious");
        Future.<Void>succeededFuture()
                .<Void>map(v -> {
                    StageRunner.run(ctx, FlowStages.PARSE, parse);
                    return null;
                })
                .compose(v -> StageRunner.runAsync(ctx, FlowStages.AUTHENTICATE, stages.authentication()))
                // composed, not mapped: the user's limits (429) and a shared store's answer are waited for
                .compose(v -> stages.admitAndLocate(ctx))
                .compose(v -> StageRunner.runAsync(ctx, RESOLVE_B, resolveB))
                .compose(b -> StageRunner.runAsync(ctx, DIAL_B, c -> c.udp() ? udp(c, b) : tcp(context, c, b)))
                .onSuccess(Runnable::run)
                .onFailure(t -> stages.refusal().refuse(ctx, t));
    }

    /** B's address as A resolves it (the client's name for B is only matched against the configured list). */
    private Future<InetAddress> resolve(UserTunnelContext ctx) {
        String host = ctx.target().host();
        return vertx.executeBlocking(() -> InetAddress.getByName(host), false)
                .recover(e -> Future.failedFuture(B_UNKNOWN));
    }

    /** CONNECT: a TCP connection to B, then our 200 and a byte relay between the two. */
    private Future<Runnable> tcp(LoopContext context, UserTunnelContext ctx, InetAddress b) {
        return TcpTunnelEnd.connect(context, new InetSocketAddress(b, ctx.target().port()), null, connectTimeout)
                .recover(e -> Future.failedFuture(dialFailure(e)))
                .compose(toB -> {
                    if (ctx.clientGone().isComplete()) {
                        toB.close();
                        return Future.failedFuture(ProxyExchange.CLIENT_GONE);
                    }
                    answerHeaders(ctx);
                    return ctx.request().accept()
                            .<Runnable>map(client -> () -> stages.tunnels().relay(ctx, new Tunnel.Legs(client, toB)))
                            .onFailure(e -> toB.close());
                });
    }

    /** CONNECT-UDP: a UDP socket of this flow's own towards B's QUIC port, then our 2xx and a datagram relay. */
    private Future<Runnable> udp(UserTunnelContext ctx, InetAddress b) {
        DatagramSocket[] socket = new DatagramSocket[1];
        return vertx.createDatagramSocket(new DatagramSocketOptions().setIpV6(b instanceof Inet6Address))
                .listen(0, b instanceof Inet6Address ? "::" : "0.0.0.0")
                .recover(e -> Future.failedFuture(B_UNAVAILABLE))
                .compose(s -> {
                    socket[0] = s;
                    MultiMap headers = ctx.request().responseHeaders();
                    if (!ctx.request().isStream()) {
                        headers.set("upgrade", "connect-udp").set("connection", "Upgrade");
                    }
                    headers.set("capsule-protocol", "?1");
                    answerHeaders(ctx);
                    return ctx.request().acceptDatagrams();
                })
                .<Runnable>map(client -> () -> stages.tunnels().udpRelay(vertx, ctx, client, socket[0],
                        b.getHostAddress(), ctx.target().port(), idleTimeout))
                .onFailure(e -> {
                    if (socket[0] != null) {
                        socket[0].close();
                    }
                });
    }

    /** The signed location for the client to present to B (none when A could not locate it), and our timing. */
    private void answerHeaders(UserTunnelContext ctx) {
        MultiMap headers = ctx.request().responseHeaders();
        ctx.location().ifPresent(signed -> headers.set(HeaderNames.SEC_CH_GEOHASH, signed.geohash())
                .set(HeaderNames.SIGNATURE_INPUT, signed.signatureInput())
                .set(HeaderNames.SIGNATURE, signed.signature()));
        headers.set(HeaderNames.SERVER_TIMING, ServerTiming.entry(proxyName, System.nanoTime() - ctx.startNanos()));
    }

    private static ProxyFailure dialFailure(Throwable e) {
        if (e instanceof ConnectTimeoutException) {
            return B_TIMEOUT;
        }
        if (e instanceof ConnectException) {
            return B_REFUSED;
        }
        if (e instanceof UnknownHostException) {
            return B_UNKNOWN;
        }
        return B_UNAVAILABLE;
    }
}
