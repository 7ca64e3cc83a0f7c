package net.doublehop.runtime.nexthop;

import net.doublehop.runtime.vertx.VertxTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import net.doublehop.runtime.vertx.LoopContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.doublehop.runtime.relay.CapsuleDatagramEnd;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.nexthop.NextHopConnection;
import net.doublehop.runtime.listen.HeaderFields;
import net.doublehop.runtime.nexthop.StreamAnswer;
import net.doublehop.runtime.listen.Http2Windows;

/**
 * One HTTP/2 connection to the next hop on Netty's frame codec, on one Vert.x context's event loop. It sends what
 * Vert.x's HTTP/2 client cannot: extended CONNECT (RFC 8441 §4, {@code :protocol}), once the server's SETTINGS
 * allowed it. Each request is a stream (a multiplex child channel); its answer carries the stream as a byte
 * tunnel end or as a capsule datagram end.
 */
public final class Http2ClientConnection implements NextHopConnection {

    private final LoopContext context;
    private final Channel channel;
    private final AtomicInteger streams = new AtomicInteger();
    private volatile boolean connectProtocol;
    private volatile boolean goingAway;
    /** The server's SETTINGS_MAX_CONCURRENT_STREAMS; a stream beyond it would be refused. */
    private volatile long maxStreams = Long.MAX_VALUE;

    private Http2ClientConnection(LoopContext context, Channel channel) {
        this.context = context;
        this.channel = channel;
    }

    /** Connects over TLS with ALPN h2; completes once the server's first SETTINGS arrived. */
    public static Future<Http2ClientConnection> connect(LoopContext context, InetSocketAddress server,
            String serverName, SslContext tls, Duration connectTimeout) {
        return connect(context, server, null, serverName, tls, connectTimeout);
    }

    /** As above, from {@code local} (null: the system's choice of address and port). */
    public static Future<Http2ClientConnection> connect(LoopContext context, InetSocketAddress server,
            InetSocketAddress local, String serverName, SslContext tls, Duration connectTimeout) {
        Promise<Http2ClientConnection> result = context.promise();
        Http2ClientConnection[] self = new Http2ClientConnection[1];
        new Bootstrap()
                .group(context.nettyEventLoop())
                .channelFactory(VertxTransport.of(context.owner()).channelFactory(false))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        self[0] = install(context, ch, serverName, server.getPort(), tls, connectTimeout, result);
                    }
                })
                .connect(server, local)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        result.tryFail(f.cause());
                    }
                });
        return result.future();
    }

    /**
     * An HTTP/2 connection over TLS inside {@code carrier}, a byte pipe that is already open: the stream of a CONNECT
     * tunnel through another proxy ({@link Answer#carrier}). Completes once the server's first SETTINGS arrived.
     * Called on the carrier's event loop, which must be {@code context}'s.
     */
    public static Future<Http2ClientConnection> over(LoopContext context, Channel carrier, String serverName,
            int port, SslContext tls, Duration handshakeTimeout) {
        Promise<Http2ClientConnection> result = context.promise();
        install(context, carrier, serverName, port, tls, handshakeTimeout, result);
        return result.future();
    }

    /** TLS (ALPN h2), the frame codec, the multiplexer and our connection-level handler, on {@code ch}. */
    private static Http2ClientConnection install(LoopContext context, Channel ch, String serverName, int port,
            SslContext tls, Duration handshakeTimeout, Promise<Http2ClientConnection> ready) {
        Http2ClientConnection self = new Http2ClientConnection(context, ch);
        SslHandler ssl = tls.newHandler(ch.alloc(), serverName, port);
        ssl.setHandshakeTimeout(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ch.pipeline().addLast(ssl);
        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings()
                        .initialWindowSize(Http2Windows.STREAM)
                        .maxFrameSize(64 * 1024)
                        .pushEnabled(false))
                .build());
        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
        ch.pipeline().addLast(self.connectionFrames(ready, ssl));
        return self;
    }

    /** SETTINGS (ready; may we send :protocol?), GOAWAY (no new streams), the end of the connection. */
    private ChannelInboundHandlerAdapter connectionFrames(Promise<Http2ClientConnection> ready, SslHandler ssl) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent hs && hs.isSuccess()) {
                    // ours, not the pipeline's first: over() may run inside another TLS connection's channel
                    String alpn = ssl.applicationProtocol();
                    if (!ApplicationProtocolNames.HTTP_2.equals(alpn)) {
                        ready.tryFail(new IOException("next hop did not agree to HTTP/2 (ALPN: " + alpn + ")"));
                        ctx.close();
                        return;
                    }
                    // Our connection window as large as all our streams' together (see Http2Windows).
                    ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(
                            Http2Windows.connection(1000) - 65_535));
                } else if (evt instanceof io.netty.handler.ssl.SslHandshakeCompletionEvent hs) {
                    ready.tryFail(hs.cause());
                }
                super.userEventTriggered(ctx, evt);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2SettingsFrame settings) {
                    Boolean allowed = settings.settings().connectProtocolEnabled();
                    if (allowed != null) {
                        connectProtocol = allowed;
                    }
                    Long max = settings.settings().maxConcurrentStreams();
                    if (max != null) {
                        maxStreams = max;
                    }
                    Http2ClientConnection self = Http2ClientConnection.this;
                    context.execute(() -> ready.tryComplete(self));
                } else if (msg instanceof Http2GoAwayFrame) {
                    // No new streams (the server shuts down, or its reset-flood defence): the open ones go on,
                    // and the connection closes once they are done (see request).
                    goingAway = true;
                    closeIfIdleAndGoingAway();
                }
                ReferenceCountUtil.release(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                ready.tryFail("connection closed before SETTINGS");
                super.channelInactive(ctx);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ready.tryFail(cause);
                ctx.close();
            }
        };
    }

    /** True while new streams may be opened on this connection. */
    @Override
    public boolean isUsable() {
        return channel.isActive() && !goingAway && streams.get() < maxStreams;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public int activeStreams() {
        return streams.get();
    }

    @Override
    public io.netty.channel.EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** A connection after GOAWAY serves only its open streams; once they are done nobody will use it. */
    private void closeIfIdleAndGoingAway() {
        if (goingAway && streams.get() == 0) {
            channel.close();
        }
    }

    /** Takes no new streams from now on; closes once the open ones are done (now, if there are none). */
    public void closeWhenIdle() {
        channel.eventLoop().execute(() -> {
            goingAway = true;
            closeIfIdleAndGoingAway();
        });
    }

    /** Whether the server allowed extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL = 1). */
    public boolean extendedConnect() {
        return connectProtocol;
    }

    /** Sends {@code head} on a new stream; completes with the final response head (any status). */
    public Future<Answer> request(Http2Headers head) {
        return request(head, Promise.<Void>promise().future());
    }

    /**
     * As {@link #request(Http2Headers)}; when {@code cancelled} completes before the answer, the stream is reset at
     * once, so the next hop stops working on it.
     */
    public Future<Answer> request(Http2Headers head, Future<?> cancelled) {
        Promise<Answer> answered = context.promise();
        ResponseHandler handler = new ResponseHandler(answered);
        streams.incrementAndGet();
        new Http2StreamChannelBootstrap(channel).handler(handler).open().addListener(created -> {
            if (!created.isSuccess()) {
                streamClosed();
                answered.tryFail(created.cause());
                return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) created.getNow();
            stream.closeFuture().addListener(f -> streamClosed());
            handler.end = new Http2ClientStreamEnd(stream, context);
            cancelled.onComplete(c -> {
                if (answered.tryFail("cancelled")) {
                    handler.end.reset();
                }
            });
            ChannelFuture written = stream.writeAndFlush(new DefaultHttp2HeadersFrame(head, false));
            written.addListener(w -> {
                if (!w.isSuccess()) {
                    answered.tryFail(w.cause());
                }
            });
            stream.closeFuture().addListener(f -> answered.tryFail("stream closed before a response"));
        });
        return answered.future();
    }

    private void streamClosed() {
        streams.decrementAndGet();
        closeIfIdleAndGoingAway();
    }

    @Override
    public void close() {
        channel.close();
    }

    public Future<Void> closeFuture() {
        Promise<Void> p = context.promise();
        channel.closeFuture().addListener(f -> p.tryComplete());
        return p.future();
    }

    /** A response head and its stream. */
    public static final class Answer extends StreamAnswer {
        private final Http2ClientStreamEnd end;

        Answer(int status, MultiMap headers, Http2ClientStreamEnd end) {
            super(status, headers, end);
            this.end = end;
        }

        /** The stream as a CONNECT-UDP flow: DATAGRAM capsules on it (HTTP/2 has no datagrams). */
        @Override
        public DatagramEnd datagrams() {
            return new CapsuleDatagramEnd(end);
        }

        /**
         * The stream of a 2xx to CONNECT as a channel of plain bytes (DATA frames unwrapped), for a protocol of our
         * own inside the tunnel (see {@link #over}); its end closes the channel. Instead of {@link #tunnel}, never
         * both. Called on the stream's event loop.
         */
        public Channel carrier() {
            Http2StreamChannel stream = end.stream();
            stream.pipeline().remove(ResponseHandler.class);
            stream.pipeline().addLast(new Http2StreamBytes());
            stream.config().setAutoRead(true);
            return stream;
        }
    }

    /** The client side of a stream: the final HEADERS is the answer; DATA and END_STREAM go to the stream end. */
    private final class ResponseHandler extends ChannelInboundHandlerAdapter {
        private final Promise<Answer> answered;
        private Http2ClientStreamEnd end;
        private boolean headDone;

        ResponseHandler(Promise<Answer> answered) {
            this.answered = answered;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame frame) {
                if (!headDone) {
                    head(ctx, frame);
                }
                if (frame.isEndStream() && end != null) {
                    end.inputClosed();
                }
            } else if (msg instanceof Http2DataFrame frame) {
                boolean last = frame.isEndStream();
                if (end != null && headDone) {
                    end.inbound(frame.content()); // takes ownership of the frame's buffer
                } else {
                    frame.release();
                }
                if (last && end != null) {
                    end.inputClosed();
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private void head(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
            int code = HeaderFields.status(frame.headers().status());
            if (code >= 100 && code < 200) {
                return; // interim: wait for the final response
            }
            headDone = true;
            if (code < 0) {
                answered.tryFail("malformed :status from the next hop");
                ctx.close();
                return;
            }
            MultiMap headers = HeaderFields.regular(frame.headers());
            end.completeOnContext(answered, new Answer(code, headers, end));
        }

        /** Netty's multiplexer hands a stream its peer's RST_STREAM as an event, not a read. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Http2ResetFrame reset) {
                IOException e = new IOException("stream reset by the next hop: " + reset.errorCode());
                answered.tryFail(e);
                if (end != null) {
                    end.resetByPeer();
                    end.failed(e);
                }
                // once the codec has closed the stream (right after this event): closed before, the child channel
                // would answer the reset with one of its own (RFC 9113 §5.4.2 forbids that)
                ctx.executor().execute(ctx::close);
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (end != null) {
                end.writabilityChanged();
            }
            super.channelWritabilityChanged(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answered.tryFail(cause);
            if (end != null) {
                end.failed(cause);
            }
            ctx.close();
        }
    }
}
