package net.doublehop.runtime.listen.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.MultiMap;
import java.util.ArrayDeque;
import java.util.Map;
import net.doublehop.runtime.transport.ChannelEnd;
import net.doublehop.runtime.transport.Http1TunnelEnd;

/**
 * An HTTP/1.1 connection, one request at a time. A request head becomes an {@link Http1Exchange} for the flow, and
 * the request decoder is taken out of the pipeline at once: what the client sends behind the head is held as raw
 * bytes, because after a {@code 200} to CONNECT (or a {@code 101} to an upgrade) it is tunnel data, not a next
 * request. A tunnel then owns the connection (the response encoder goes too); a refusal either puts the decoder
 * back, fed with what was held, for the client's next request (curl retries a 407 on the same connection), or
 * closes the connection ({@code Connection: close}) when the request asked for that, had a body, or the listener
 * is shutting down.
 */
final class Http1ServerHandler extends ChannelInboundHandlerAdapter implements TcpConnections.Drainable {

    static final String DECODER = "h1-decoder";
    static final String ENCODER = "h1-encoder";
    static final String HANDLER = "h1";
    private static final System.Logger LOG = System.getLogger("proxy.connections");

    private final ListenerScope scope;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private int heldBytes;
    private ChannelHandlerContext ctx;
    private Http1Exchange exchange; // the request being answered
    private Http1TunnelEnd tunnel;  // once the connection is a tunnel
    private boolean closing;
    private boolean answered;       // a response went out on this connection
    private final RequestHeaderDeadline deadline;

    private Http1ServerHandler(ListenerScope scope, RequestHeaderDeadline deadline) {
        this.scope = scope;
        this.deadline = deadline;
    }

    static void install(Channel ch, ListenerScope scope) {
        Http1ServerHandler h = new Http1ServerHandler(scope, RequestHeaderDeadline.of(ch));
        h.deadline.onExpiry(h::headerTimedOut);
        ch.pipeline()
                .addBefore(ConnectionInitializer.GUARD, DECODER, h.newDecoder())
                .addBefore(ConnectionInitializer.GUARD, ENCODER, new HttpResponseEncoder())
                .addBefore(ConnectionInitializer.GUARD, HANDLER, h);
        scope.connections().negotiated(ch, "h1", h);
    }

    private HttpRequestDecoder newDecoder() {
        int maxHeader = scope.limits().maxHeaderSize();
        return new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(Math.min(maxHeader, 4096))
                .setMaxHeaderSize(maxHeader));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tunnel != null) {
            if (msg instanceof ByteBuf data) {
                tunnel.inbound(data);
            } else {
                ReferenceCountUtil.release(msg);
            }
        } else if (msg instanceof HttpRequest req) {
            try {
                onRequest(req);
            } finally {
                ReferenceCountUtil.release(req);
            }
        } else if (msg instanceof ByteBuf data && !closing) {
            hold(data);
        } else {
            ReferenceCountUtil.release(msg); // request bodies (HttpContent) and anything after a close was decided
        }
    }

    private void onRequest(HttpRequest req) {
        if (closing || exchange != null) {
            return;
        }
        deadline.disarm();
        if (req.decoderResult().isFailure()) {
            closing = true;
            MalformedRequests.respond(ctx, req.decoderResult().cause(), scope.proxyName(), System.nanoTime());
            return;
        }
        exchange = new Http1Exchange(this, ctx.channel(), req, scope);
        // Whatever follows the head is raw until the answer says what it is; removing the decoder hands on what
        // it had read beyond the head (as ByteBufs, to hold()).
        ctx.pipeline().remove(DECODER);
        scope.dispatch(exchange);
    }

    private void hold(ByteBuf data) {
        held.add(data);
        heldBytes += data.readableBytes();
        if (heldBytes >= ChannelEnd.HOLD_LIMIT) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void releaseHeld() {
        while (!held.isEmpty()) {
            held.poll().release();
        }
        heldBytes = 0;
    }

    // --- from the exchange, on the event loop ---

    /**
     * {@code limits.request-header-timeout} passed without a complete request head: 408 (RFC 9110 §15.5.9) with a
     * {@code Proxy-Status} while nothing was answered on the connection yet, and the close. A connection that was
     * answered before is closed without one: its client may be sending its next request just now, and would take
     * a 408 for that request's answer.
     */
    private void headerTimedOut() {
        if (closing || exchange != null || tunnel != null) {
            return;
        }
        closing = true;
        releaseHeld();
        LOG.log(System.Logger.Level.DEBUG, "HTTP/1.1 request header not complete within"
                + " limits.request-header-timeout: connection closed");
        if (answered) {
            ctx.close();
        } else {
            answered = true;
            MalformedRequests.respond(ctx, MalformedRequests.HEADER_TIMEOUT, scope.proxyName(), System.nanoTime());
        }
    }

    /** A refusal: the status, the flow's headers and no body. */
    void answer(HttpRequest req, int status, MultiMap headers) {
        exchange = null;
        answered = true;
        boolean keepAlive = !scope.connections().draining() && req.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && HttpUtil.isKeepAlive(req) && !hasBody(req);
        DefaultFullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status));
        copy(headers, resp);
        resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (!keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = ctx.writeAndFlush(resp);
        if (keepAlive) {
            // Not from inside this call: the flow may answer while the removed decoder is still handing on its
            // last messages.
            ctx.executor().execute(this::nextRequest);
        } else {
            closing = true;
            releaseHeld();
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The client may send its next request: decode again, starting with what it already sent. */
    private void nextRequest() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        deadline.arm(); // the next request's head, from the end of this exchange
        HttpRequestDecoder decoder = newDecoder();
        ctx.pipeline().addBefore(ENCODER, DECODER, decoder);
        ChannelHandlerContext decoderCtx = ctx.pipeline().context(DECODER);
        // Taken out first: a request among them removes the decoder again, which hands its leftovers to hold(),
        // and those come before the rest.
        ArrayDeque<ByteBuf> replay = new ArrayDeque<>(held);
        held.clear();
        heldBytes = 0;
        while (!replay.isEmpty() && !decoderCtx.isRemoved() && !closing) {
            try {
                decoder.channelRead(decoderCtx, replay.poll());
            } catch (Exception e) {
                replay.forEach(ByteBuf::release);
                exceptionCaught(ctx, e);
                return;
            }
        }
        if (closing) {
            replay.forEach(ByteBuf::release);
            return;
        }
        while (!replay.isEmpty()) {
            ByteBuf b = replay.poll();
            if (tunnel != null) {
                tunnel.inbound(b);
            } else {
                hold(b);
            }
        }
        if (!decoderCtx.isRemoved()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** A tunnel: the head ({@code 200} or {@code 101}), then the connection carries the tunnel's bytes. */
    Http1TunnelEnd startTunnel(int status, MultiMap headers) {
        exchange = null;
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        copy(headers, resp);
        // Encoded on this call (we are on the event loop), so the encoder can go right after.
        ctx.write(resp);
        ctx.pipeline().remove(ENCODER);
        ctx.flush();
        tunnel = new Http1TunnelEnd(ctx.channel(), scope.context());
        heldBytes = 0;
        while (!held.isEmpty()) {
            tunnel.inbound(held.poll());
        }
        return tunnel;
    }

    private static boolean hasBody(HttpRequest req) {
        return HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
    }

    private static void copy(MultiMap from, HttpResponse to) {
        for (Map.Entry<String, String> e : from) {
            to.headers().add(e.getKey(), e.getValue());
        }
    }

    // --- connection events ---

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseHeld();
        if (tunnel != null) {
            tunnel.inputClosed();
            tunnel.closed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (tunnel != null) {
            tunnel.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionGuard.logQuietly("HTTP/1.1 connection error", cause);
        if (tunnel != null) {
            tunnel.failed(cause);
        }
        ctx.close();
    }

    // --- shutdown ---

    @Override
    public void drain() {
        if (!busy()) {
            ctx.close();
        }
    }

    @Override
    public boolean busy() {
        return tunnel != null || exchange != null;
    }
}
