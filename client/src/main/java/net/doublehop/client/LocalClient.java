package net.doublehop.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.vertx.VertxTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.listen.tcp.TcpListener;
import net.doublehop.runtime.listen.tcp.TcpListenerConfig;

/**
 * The running local client: a SOCKS5 listener (Netty, {@link Socks5Handler}) and an HTTP CONNECT listener (the
 * proxies' own TCP listener in cleartext, {@link HttpConnectFlow}), both on loopback, feeding one {@link Upstream}.
 * Each listener runs on one event loop, with its own connection to A on that loop (see {@link ProxyAConnection}).
 */
public final class LocalClient {

    private final Vertx vertx;
    private final Upstream upstream;
    private Channel socks;
    private TcpListener http;
    private String httpDeployment;

    private LocalClient(Vertx vertx, Upstream upstream) {
        this.vertx = vertx;
        this.upstream = upstream;
    }

    /** Starts both listeners (those not turned off) on {@code vertx}. */
    public static Future<LocalClient> start(Vertx vertx, ClientOptions options) {
        LoopContext context = LoopContext.newEventLoop(vertx);
        Future<Upstream> upstream = context.executeBlocking(() -> upstream(vertx, context, options));
        return upstream.compose(u -> {
            LocalClient client = new LocalClient(vertx, u);
            return client.listenSocks(context, options.socks())
                    .compose(v -> client.listenHttp(options.http()))
                    .map(client)
                    .onFailure(e -> client.stop());
        });
    }

    /** Loading TLS material (and BoringSSL) is slow: done off the event loop. */
    private static Upstream upstream(Vertx vertx, LoopContext context, ClientOptions o) {
        ProxyAConnection proxyA = new ProxyAConnection(vertx, o.proxyA(), o.version(), o.udpTemplate(),
                o.cacert(), o.insecure(), o.sourceAddress());
        Authorization auth = authorization(vertx, o.credential(), o);
        if (o.mode() == ClientOptions.Mode.FORWARD) {
            return new ForwardUpstream(proxyA, auth, o.geohash());
        }
        return new ObliviousUpstream(vertx, proxyA, auth, authorization(vertx, o.bCredential().orElseThrow(), o),
                o.geohash(), o.proxyB().orElseThrow(), o.bTransport(), o.cacert(), o.insecure());
    }

    private static Authorization authorization(Vertx vertx, ClientOptions.Credential c, ClientOptions o) {
        if (c instanceof ClientOptions.Basic b) {
            return Authorization.fixed(b.header());
        }
        if (c instanceof ClientOptions.Preshared p) {
            return Authorization.fixed(p.header());
        }
        return new PrivacyPassTokens(vertx, (ClientOptions.PrivacyPass) c, o.cacert(), o.insecure());
    }

    private Future<Void> listenSocks(LoopContext context, Optional<HostPort> at) {
        if (at.isEmpty()) {
            return Future.succeededFuture();
        }
        Promise<Void> bound = context.promise();
        new ServerBootstrap()
                .group(context.nettyEventLoop(), context.nettyEventLoop())
                .channelFactory(VertxTransport.of(vertx).serverChannelFactory(false))
                .childOption(ChannelOption.TCP_NODELAY, true)
                // a tunnel's client may end its data and still read the answer (see TcpTunnelEnd.adopt)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, VertxTransport.pooledAllocator())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new Socks5Handler(context, upstream));
                    }
                })
                .bind(new InetSocketAddress(at.get().host(), at.get().port()))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        socks = ((ChannelFuture) f).channel();
                        bound.complete();
                    } else {
                        bound.fail(f.cause());
                    }
                });
        return bound.future();
    }

    private Future<Void> listenHttp(Optional<HostPort> at) {
        if (at.isEmpty()) {
            return Future.succeededFuture();
        }
        TcpListenerConfig config = new TcpListenerConfig(at.get().host(), at.get().port(), TlsSettings.none(), null,
                Limits.defaults(), HttpConnectFlow.NAME, Optional.empty(), false);
        http = new TcpListener(config, new HttpConnectFlow(upstream), new ProxyMetrics("client"));
        return vertx.deployVerticle(http).onSuccess(id -> httpDeployment = id).mapEmpty();
    }

    /** The SOCKS5 listener's port, or -1 when it is off. */
    public int socksPort() {
        return socks == null ? -1 : ((InetSocketAddress) socks.localAddress()).getPort();
    }

    /** The HTTP CONNECT listener's port, or -1 when it is off. */
    public int httpPort() {
        return http == null ? -1 : http.actualPort();
    }

    public Future<Void> stop() {
        if (socks != null) {
            socks.close();
        }
        Future<Void> h = httpDeployment == null ? Future.succeededFuture()
                : http.shutdown(Duration.ofMillis(200)).compose(v -> vertx.undeploy(httpDeployment));
        return h.onComplete(v -> upstream.close()).mapEmpty();
    }
}
