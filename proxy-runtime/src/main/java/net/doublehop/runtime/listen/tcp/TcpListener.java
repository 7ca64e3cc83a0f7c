package net.doublehop.runtime.listen.tcp;

import net.doublehop.runtime.vertx.VertxTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.handler.ssl.SslContext;
import net.doublehop.runtime.config.TlsSettings;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import net.doublehop.runtime.vertx.LoopContext;
import io.vertx.core.spi.transport.Transport;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.listen.Listener;
import net.doublehop.runtime.listen.ProxyExchange;

/**
 * The TCP listener of either proxy (HTTP/1.1 and HTTP/2 on one port, chosen by ALPN, or by the first bytes in
 * cleartext), on Netty's HTTP codecs rather than Vert.x's HTTP server, because Vert.x refuses HTTP/2 extended
 * CONNECT, which CONNECT-UDP over HTTP/2 needs (docs/architecture.md §4). It runs on this verticle's event loop with
 * Vert.x's transport (epoll or NIO), so the flows it feeds, their Vert.x futures and the sockets they open share
 * one thread, as on Vert.x's own server. Several instances may share a port (SO_REUSEPORT: the kernel spreads the
 * connections over them).
 */
public final class TcpListener extends VerticleBase implements Listener {

    private final TcpListenerConfig config;
    private final Handler<ProxyExchange> flow;
    private final TcpConnections connections;
    private Channel server;
    /** Read by every accept, replaced by a reload ({@link #replaceTls}); null: cleartext. */
    private volatile SslContext tls;
    private EventLoop loop;

    public TcpListener(TcpListenerConfig config, Handler<ProxyExchange> flow, ProxyMetrics metrics) {
        this.config = config;
        this.flow = flow;
        this.connections = new TcpConnections(metrics);
    }

    @Override
    public Future<?> start() {
        LoopContext ctx = LoopContext.of(context);
        loop = ctx.nettyEventLoop();
        // Loading keys (and BoringSSL, the first time) is slow work: off the event loop.
        Future<SslContext> loaded = config.tls().enabled()
                ? context.executeBlocking(() -> TcpTls.server(vertx, config.tls(), config.selfSigned()))
                : ctx.succeededFuture(null);
        return loaded.compose(this::bind);
    }

    /**
     * A TLS context for this listener type from {@code tls} (blocking: reads the files); throws
     * {@link IllegalStateException} when they cannot be used.
     */
    public static SslContext tlsContext(Vertx vertx, TlsSettings tls, KeyCertOptions selfSigned) {
        return TcpTls.server(vertx, tls, selfSigned);
    }

    /**
     * Hot reload: connections accepted from now on use {@code next} (a new certificate, key or client CA); open
     * connections keep the context they started with. Only for a listener started with TLS.
     */
    public void replaceTls(SslContext next) {
        if (tls == null) {
            throw new IllegalStateException("the listener was started without TLS");
        }
        tls = next;
    }

    private Future<Void> bind(SslContext started) {
        tls = started;
        LoopContext ctx = LoopContext.of(context);
        ListenerScope scope = new ListenerScope(ctx, flow, config, connections);
        Transport transport = VertxTransport.of(vertx);
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(transport.serverChannelFactory(false))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Vert.x's pooled allocator, as its own servers and the destination sockets use: one set of arenas.
                .childOption(ChannelOption.ALLOCATOR, VertxTransport.pooledAllocator())
                .childHandler(new ConnectionInitializer(scope, started == null ? null : () -> tls));
        if (config.reusePort()) {
            reusePort(b, transport);
        }
        Promise<Void> bound = ctx.promise();
        b.bind(new InetSocketAddress(config.host(), config.port())).addListener(f -> {
            if (f.isSuccess()) {
                server = ((ChannelFuture) f).channel();
                bound.complete();
            } else {
                bound.fail(f.cause());
            }
        });
        return bound.future();
    }

    /** SO_REUSEPORT for the transport's server channel: the native transports' own option, or the JDK's (NIO). */
    private static void reusePort(ServerBootstrap b, Transport transport) {
        Channel probe = transport.serverChannelFactory(false).newChannel();
        boolean nio = probe instanceof NioServerSocketChannel;
        probe.unsafe().closeForcibly();
        if (nio) {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        } else {
            b.option(UnixChannelOption.SO_REUSEPORT, true);
        }
    }

    public int actualPort() {
        return server == null ? -1 : ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Stops taking connections; every connection winds down (GOAWAY on HTTP/2; an HTTP/1.1 connection closes
     * unless it carries a request or a tunnel); each is closed once nothing is open on it, and whatever is still
     * open after {@code grace} is closed.
     */
    @Override
    public Future<Void> shutdown(Duration grace) {
        if (server == null) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        long deadline = System.nanoTime() + grace.toNanos();
        loop.execute(() -> {
            server.close();
            connections.startDrain();
            closeIdleUntil(deadline, done);
        });
        return done.future();
    }

    private void closeIdleUntil(long deadline, Promise<Void> done) {
        boolean late = System.nanoTime() - deadline >= 0;
        connections.closeIdle(late);
        if (connections.isEmpty() || late) {
            done.tryComplete();
        } else {
            loop.schedule(() -> closeIdleUntil(deadline, done), 50, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public Future<?> stop() {
        if (server == null) {
            return Future.succeededFuture();
        }
        Promise<Void> closed = Promise.promise();
        loop.execute(() -> {
            connections.closeIdle(true);
            server.close().addListener(f -> closed.complete());
        });
        return closed.future();
    }
}
