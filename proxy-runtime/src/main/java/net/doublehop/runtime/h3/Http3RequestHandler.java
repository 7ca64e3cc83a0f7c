package net.doublehop.runtime.h3;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Exception;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.http3.Http3UnknownFrame;
import io.netty.handler.codec.quic.QuicException;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import net.doublehop.runtime.server.ProxyExchange;

/**
 * One HTTP/3 request stream: its HEADERS become a {@link ProxyExchange} handed to the flow (on the listener's
 * Vert.x context), its DATA and FIN go to the stream's tunnel end. Trailers and unknown frame types are
 * ignored (RFC 9114 §4.1, §9).
 */
final class Http3RequestHandler extends Http3RequestStreamInboundHandler {

    private static final Logger LOG = System.getLogger("proxy.connections");

    private final ContextInternal context;
    private final Handler<ProxyExchange> flow;
    private Http3StreamEnd end;
    private Http3Exchange exchange;

    Http3RequestHandler(ContextInternal context, Handler<ProxyExchange> flow) {
        this.context = context;
        this.flow = flow;
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        if (exchange != null) {
            return; // trailers: nothing a tunnel needs
        }
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        end = new Http3StreamEnd(stream, context);
        exchange = new Http3Exchange(stream, context, frame.headers(), end);
        stream.closeFuture().addListener(f -> context.emit(v -> exchange.streamClosed()));
        context.emit(exchange, flow);
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        if (end != null) {
            end.inbound(frame.content()); // takes ownership of the frame's buffer
        } else {
            frame.release();
        }
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3UnknownFrame frame) {
        frame.release();
    }

    @Override
    protected void channelInputClosed(ChannelHandlerContext ctx) {
        if (end != null) {
            end.inputClosed();
        } else {
            ctx.close(); // FIN before any HEADERS: there is no request to answer
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (end != null) {
            end.writabilityChanged();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void handleQuicException(ChannelHandlerContext ctx, QuicException e) {
        failed(e);
        super.handleQuicException(ctx, e);
    }

    /** Netty's answer is the RFC's (the stream or connection closed with the error's code); the tunnel ends too. */
    @Override
    protected void handleHttp3Exception(ChannelHandlerContext ctx, Http3Exception e) {
        failed(e);
        super.handleHttp3Exception(ctx, e);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
        if (!(t instanceof QuicException) && !(t instanceof Http3Exception)) {
            failed(t);
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, t);
    }

    /** A peer's reset or a malformed frame ends its stream, never the connection or the process. */
    private void failed(Throwable t) {
        LOG.log(Level.DEBUG, "HTTP/3 stream error: {0}", t.getClass().getName());
        if (end != null) {
            end.failed(t);
        }
    }
}
