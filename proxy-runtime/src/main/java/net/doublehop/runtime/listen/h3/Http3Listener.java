package net.doublehop.runtime.listen.h3;

import net.doublehop.runtime.transport.QuicSockets;
import net.doublehop.runtime.vertx.VertxTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http3.DefaultHttp3GoAwayFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ServerConnectionHandler;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import net.doublehop.runtime.vertx.LoopContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.netty.util.AttributeKey;
import net.doublehop.runtime.listen.Listener;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.listen.EarlyResets;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.transport.Http3Datagrams;

/**
 * The HTTP/3 listener of either proxy, on Netty's QUIC and HTTP/3 codecs rather than Vert.x's HTTP/3 server,
 * because tunnels need what Vert.x does not expose: extended CONNECT ({@code SETTINGS_ENABLE_CONNECT_PROTOCOL},
 * RFC 9220) and HTTP/3 datagrams ({@code SETTINGS_H3_DATAGRAM}, RFC 9297) (docs/architecture.md §4). It runs on this
 * verticle's event loop, so the flows it feeds, their Vert.x futures and the sockets they open share one thread.
 */
public final class Http3Listener extends VerticleBase implements Listener {

    /** Datagrams queued per connection each way before QUIC drops them (UDP semantics: loss, not blocking). */
    private static final int DATAGRAM_QUEUE = 512;

    private final String host;
    private final int port;
    private final QuicSslContext tls;
    private final Limits limits;
    private final Handler<ProxyExchange> flow;
    private final ProxyMetrics metrics;
    private final Set<QuicChannel> connections = ConcurrentHashMap.newKeySet();
    private Channel socket;
    private volatile boolean draining;

    /** Request streams open on a connection: a draining listener closes a connection when it reaches zero. */
    private static final AttributeKey<AtomicInteger> OPEN_STREAMS = AttributeKey.valueOf("doublehop.openStreams");

    public Http3Listener(String host, int port, QuicSslContext tls, Limits limits, Handler<ProxyExchange> flow,
            ProxyMetrics metrics) {
        this.host = host;
        this.port = port;
        this.tls = tls;
        this.limits = limits;
        this.flow = flow;
        this.metrics = metrics;
    }

    @Override
    public Future<?> start() {
        LoopContext ctx = LoopContext.of(context);
        ChannelHandler codec = Http3.newQuicServerCodecBuilder()
                .sslContext(tls)
                .maxIdleTimeout(limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                // Flow control sized as for HTTP/2 (Http2Windows): 1 MiB per stream, enough for every stream.
                .initialMaxData(16L * 1024 * 1024)
                .initialMaxStreamDataBidirectionalRemote(1024 * 1024)
                .initialMaxStreamDataBidirectionalLocal(1024 * 1024)
                .initialMaxStreamDataUnidirectional(64 * 1024)
                .initialMaxStreamsBidirectional(limits.maxConcurrentStreams())
                .initialMaxStreamsUnidirectional(8)
                .maxSendUdpPayloadSize(Http3Datagrams.MAX_UDP_PAYLOAD)
                .maxRecvUdpPayloadSize(Http3Datagrams.MAX_UDP_PAYLOAD)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE)
                .tokenHandler(new RetryTokens())
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        track(ch);
                        Http3Datagrams datagrams = Http3Datagrams.attach(ch);
                        EarlyResets earlyResets = new EarlyResets(limits.maxStreamResetsPer30s(), System.nanoTime());
                        Http3HeaderDeadlines deadlines = new Http3HeaderDeadlines(ch, limits.requestHeaderTimeout());
                        ch.pipeline().addLast(new Http3ServerConnectionHandler(
                                new ChannelInitializer<QuicStreamChannel>() {
                                    @Override
                                    protected void initChannel(QuicStreamChannel stream) {
                                        AtomicInteger open = ch.attr(OPEN_STREAMS).get();
                                        open.incrementAndGet();
                                        stream.closeFuture().addListener(f -> open.decrementAndGet());
                                        stream.pipeline().addLast(new Http3RequestHandler(ctx, flow, earlyResets,
                                                deadlines, deadlines.streamOpened(stream)));
                                    }
                                }, datagrams.peerSettings(), null, settings(), true));
                        ch.pipeline().addLast(datagrams.inbound());
                    }
                })
                .build();
        Promise<Void> bound = ctx.promise();
        QuicSockets.buffers(new Bootstrap())
                .group(ctx.nettyEventLoop())
                // The channel type of Vert.x's own transport (epoll or NIO), which its event loops require.
                .channelFactory(VertxTransport.of(vertx).datagramChannelFactory())
                .handler(codec)
                .bind(new InetSocketAddress(host, port))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        socket = ((io.netty.channel.ChannelFuture) f).channel();
                        bound.complete();
                    } else {
                        bound.fail(f.cause());
                    }
                });
        return bound.future();
    }

    /** Extended CONNECT and HTTP/3 datagrams; headers bounded like the TCP listener's. */
    private DefaultHttp3SettingsFrame settings() {
        Http3Settings s = new Http3Settings()
                .enableConnectProtocol(true)
                .enableH3Datagram(true)
                .maxFieldSectionSize(limits.maxHeaderSize());
        return new DefaultHttp3SettingsFrame(s);
    }

    private void track(QuicChannel ch) {
        long opened = System.nanoTime();
        ch.attr(OPEN_STREAMS).set(new AtomicInteger());
        if (draining) {
            ch.close();
            return;
        }
        connections.add(ch);
        metrics.connectionOpened("h3");
        ch.closeFuture().addListener(f -> {
            connections.remove(ch);
            metrics.connectionClosed("h3", System.nanoTime() - opened);
        });
    }

    public int actualPort() {
        return socket == null ? -1 : ((InetSocketAddress) socket.localAddress()).getPort();
    }

    /**
     * Stops taking connections: GOAWAY to every client (RFC 9114 §5.2), each connection closed once its streams are
     * done, and whatever is still open after {@code grace} closed.
     */
    @Override
    public Future<Void> shutdown(Duration grace) {
        if (socket == null) {
            return Future.succeededFuture();
        }
        Promise<Void> done = Promise.promise();
        long deadline = System.nanoTime() + grace.toNanos();
        socket.eventLoop().execute(() -> {
            draining = true;
            for (QuicChannel ch : connections) {
                QuicStreamChannel control = Http3.getLocalControlStream(ch);
                if (control != null) {
                    // The largest client-initiated bidirectional stream id: let every stream begun so far finish.
                    control.writeAndFlush(new DefaultHttp3GoAwayFrame((1L << 62) - 4));
                }
            }
            closeIdleUntil(deadline, done);
        });
        return done.future();
    }

    private void closeIdleUntil(long deadline, Promise<Void> done) {
        boolean late = System.nanoTime() - deadline > 0;
        for (QuicChannel ch : connections) {
            if (late || ch.attr(OPEN_STREAMS).get().get() == 0) {
                ch.close();
            }
        }
        if (connections.isEmpty() || late) {
            socket.close().addListener(f -> done.tryComplete());
        } else {
            socket.eventLoop().schedule(() -> closeIdleUntil(deadline, done), 50, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public Future<?> stop() {
        if (socket == null) {
            return Future.succeededFuture();
        }
        connections.forEach(QuicChannel::close);
        Promise<Void> closed = Promise.promise();
        socket.close().addListener(f -> closed.complete());
        return closed.future();
    }
}
