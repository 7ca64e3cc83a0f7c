package net.doublehop.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.nexthop.StreamAnswer;
import net.doublehop.runtime.relay.CapsuleDatagramEnd;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.transport.ChannelEndEvents;
import net.doublehop.runtime.transport.Http1TunnelEnd;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.vertx.VertxTransport;

/**
 * One tunnel to Proxy A over HTTP/1.1: a TLS connection of its own (ALPN http/1.1), one request on it —
 * {@code CONNECT host:port} (RFC 9110 §9.3.6), or for CONNECT-UDP a {@code GET} with {@code Upgrade: connect-udp}
 * (RFC 9298 §3.2) — and, once A answers 2xx (101 to the upgrade), the connection itself is the tunnel: raw bytes
 * ({@link Http1TunnelEnd}), DATAGRAM capsules on them for UDP, or a channel for a protocol of our own inside it
 * ({@link Answer#carrier}, oblivious mode's TLS to B). HTTP/1.1 has no half-close inside a tunnel: the end of our
 * data closes the connection, as A's listener does on its side. On Netty, on the caller's event loop, so the relay
 * stays on one thread.
 */
final class Http1ProxyTunnel {

    /** The handler that passes the connection's events to its tunnel end, once it is one. */
    private static final String TUNNEL = "tunnel";

    /** A's answer head is small; anything larger is not a proxy's answer. */
    private static final int MAX_HEAD = 16 * 1024;

    private Http1ProxyTunnel() {
    }

    /**
     * Connects, sends {@code method target} with {@code headers} and completes with A's final answer (any status;
     * a non-2xx closes the connection once the answer is read). {@code cancelled} completing first closes it.
     */
    static Future<NextHopAnswer> open(LoopContext context, InetSocketAddress server, InetSocketAddress local,
            String serverName, SslContext tls, Duration connectTimeout, HttpMethod method, String target,
            String host, MultiMap headers, Future<?> cancelled) {
        Promise<NextHopAnswer> answered = context.promise();
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, target);
        request.headers().set("host", host);
        headers.forEach(e -> request.headers().add(e.getKey(), e.getValue()));
        new Bootstrap()
                .group(context.nettyEventLoop())
                .channelFactory(VertxTransport.of(context.owner()).channelFactory(false))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, VertxTransport.pooledAllocator())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        SslHandler ssl = tls.newHandler(ch.alloc(), serverName, server.getPort());
                        ssl.setHandshakeTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
                        ch.pipeline().addLast(ssl);
                        ch.pipeline().addLast(new HttpClientCodec(4096, MAX_HEAD, 8192));
                        ch.pipeline().addLast(new ResponseHead(context, request, answered));
                    }
                })
                .connect(server, local)
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        answered.tryFail(f.cause());
                        return;
                    }
                    Channel ch = ((io.netty.channel.ChannelFuture) f).channel();
                    // no answer for anyone (cancelled, even before we got here; failed): the connection goes
                    answered.future().onFailure(e -> ch.close());
                    cancelled.onComplete(c -> answered.tryFail("cancelled"));
                });
        return answered.future();
    }

    /** Sends the request once TLS is up; turns the answer's head into an {@link Answer} and the connection into its tunnel. */
    private static final class ResponseHead extends ChannelInboundHandlerAdapter {
        private final LoopContext context;
        private final DefaultFullHttpRequest request;
        private final Promise<NextHopAnswer> answered;
        private Answer refusal;

        ResponseHead(LoopContext context, DefaultFullHttpRequest request, Promise<NextHopAnswer> answered) {
            this.context = context;
            this.request = request;
            this.answered = answered;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent hs) {
                if (!hs.isSuccess()) {
                    answered.tryFail(hs.cause());
                    ctx.close();
                    return;
                }
                String alpn = ctx.pipeline().get(SslHandler.class).applicationProtocol();
                if (alpn != null && !ApplicationProtocolNames.HTTP_1_1.equals(alpn)) {
                    answered.tryFail(new IOException("Proxy A did not agree to HTTP/1.1 (ALPN: " + alpn + ")"));
                    ctx.close();
                    return;
                }
                ctx.writeAndFlush(request);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse head) {
                int status = head.status().code();
                if (status >= 100 && status < 200 && status != 101) {
                    ReferenceCountUtil.release(msg);
                    return; // interim: wait for the final answer
                }
                MultiMap headers = MultiMap.caseInsensitiveMultiMap();
                head.headers().forEach(e -> headers.add(e.getKey(), e.getValue()));
                boolean tunnel = status / 100 == 2 && request.method().equals(HttpMethod.CONNECT) || status == 101;
                Http1TunnelEnd end = new Http1TunnelEnd(ctx.channel(), context);
                Answer answer = new Answer(status, headers, ctx.channel(), end);
                if (tunnel) {
                    // From here on the connection carries the tunnel: what the decoder holds past the head
                    // (the tunnel's first bytes) is passed on as bytes once it is removed.
                    ctx.pipeline().addAfter(ctx.name(), TUNNEL, new ChannelEndEvents(end));
                    ctx.pipeline().remove(HttpClientCodec.class);
                    ctx.pipeline().remove(this);
                    context.execute(() -> {
                        if (!answered.tryComplete(answer)) {
                            ctx.channel().close();
                        }
                    });
                } else {
                    refusal = answer; // answered once its body is read (or dropped): the connection is not reused
                }
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpContent content) {
                boolean last = content instanceof io.netty.handler.codec.http.LastHttpContent;
                content.release();
                if (last && refusal != null) {
                    Answer a = refusal;
                    context.execute(() -> answered.tryComplete(a));
                    ctx.close();
                }
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (refusal != null) {
                Answer a = refusal;
                context.execute(() -> answered.tryComplete(a));
            } else {
                answered.tryFail("Proxy A closed the connection before answering");
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answered.tryFail(cause);
            ctx.close();
        }
    }

    /** A's answer, and on success the connection as the tunnel (aborting it closes the connection). */
    static final class Answer extends StreamAnswer {
        private final Channel channel;
        private final Http1TunnelEnd end;

        Answer(int status, MultiMap headers, Channel channel, Http1TunnelEnd end) {
            super(status, headers, end);
            this.channel = channel;
            this.end = end;
        }

        /** DATAGRAM capsules on the upgraded connection (RFC 9298 §3.2, §5). */
        @Override
        public DatagramEnd datagrams() {
            return new CapsuleDatagramEnd(end);
        }

        /**
         * The connection as a channel of plain bytes inside A's TLS, for a protocol of our own (see
         * {@link net.doublehop.runtime.nexthop.Http2ClientConnection#over}). Instead of {@link #tunnel}, never both.
         * Called on the connection's event loop.
         */
        Channel carrier() {
            channel.pipeline().remove(TUNNEL);
            channel.config().setAutoRead(true);
            return channel;
        }
    }
}
