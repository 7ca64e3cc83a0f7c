package net.doublehop.proxya;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2FrameLogger.Direction;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A next hop that misbehaves on purpose, on Netty's HTTP/2 server codec with B's certificate: it accepts A's
 * connections and, per connection (numbered from 1), does what {@link Behaviour} says with each CONNECT.
 * Records what A's streams saw, so a test can check that nothing was left open.
 */
final class FakeNextHop implements AutoCloseable {

    enum Behaviour {
        /** Never answers: the stream stays open until A resets it. */
        SILENT,
        /** GOAWAY with last-stream-id 0: every stream A opened on this connection is refused. */
        GO_AWAY,
        /** RST_STREAM REFUSED_STREAM. */
        REFUSE_STREAM,
        /** 200, then echoes the tunnel's data. */
        ANSWER,
        /** 200, then RST_STREAM CANCEL on the first DATA (the destination went away abruptly). */
        ANSWER_THEN_RESET
    }

    /** Raw GOAWAY (RFC 9113 §6.8), last-stream-id 0, NO_ERROR: Netty's codec would name the last stream it saw. */
    private static final byte[] GO_AWAY_ALL = {0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger resetsFromA = new AtomicInteger();
    /** Every RST_STREAM frame A sent, on any stream, counted as the codec reads it: also those for closed streams. */
    final AtomicInteger rstFramesFromA = new AtomicInteger();
    final Queue<String> authorities = new ConcurrentLinkedQueue<>();

    /** @param behaviours what the n-th connection does (the last one for every later connection) */
    FakeNextHop(Path certificate, Path key, Behaviour... behaviours) throws Exception {
        SslContext tls = SslContextBuilder.forServer(certificate.toFile(), key.toFile())
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        int n = connections.incrementAndGet();
                        Behaviour b = behaviours[Math.min(n, behaviours.length) - 1];
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().frameLogger(new RstCounter()).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel stream) {
                                stream.pipeline().addLast(new Stream(b));
                            }
                        }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    int connections() {
        return connections.get();
    }

    private final class Stream extends ChannelInboundHandlerAdapter {
        private final Behaviour behaviour;

        Stream(Behaviour behaviour) {
            this.behaviour = behaviour;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame head) {
                requests.incrementAndGet();
                authorities.add(String.valueOf(head.headers().authority()));
                switch (behaviour) {
                    case SILENT -> { }
                    case GO_AWAY -> {
                        Channel connection = ctx.channel().parent();
                        connection.pipeline().context(Http2FrameCodec.class)
                                .writeAndFlush(Unpooled.wrappedBuffer(GO_AWAY_ALL));
                    }
                    case REFUSE_STREAM -> ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                    case ANSWER, ANSWER_THEN_RESET ->
                            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")));
                }
                ReferenceCountUtil.release(msg);
            } else if (msg instanceof Http2DataFrame data && behaviour == Behaviour.ANSWER) {
                ctx.writeAndFlush(data.retainedDuplicate());
                data.release();
            } else if (msg instanceof Http2DataFrame data && behaviour == Behaviour.ANSWER_THEN_RESET) {
                data.release();
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        /** Netty's multiplexer hands a stream its peer's RST_STREAM as an event, not a read. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Http2ResetFrame) {
                resetsFromA.incrementAndGet();
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    /** Netty's frame logger sees every frame the codec reads, before it decides a stream is gone. */
    private final class RstCounter extends Http2FrameLogger {
        RstCounter() {
            super(LogLevel.TRACE);
        }

        @Override
        public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
            if (direction == Direction.INBOUND) {
                rstFramesFromA.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
