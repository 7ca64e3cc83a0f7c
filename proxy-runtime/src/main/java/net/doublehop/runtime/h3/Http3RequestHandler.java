package net.doublehop.runtime.h3;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import net.doublehop.runtime.server.ProxyExchange;

/**
 * One HTTP/3 request stream: its HEADERS become a {@link ProxyExchange} handed to the flow (on the listener's
 * Vert.x context), its DATA and FIN go to the stream's tunnel end. Trailers and unknown frame types are
 * ignored (RFC 9114 §4.1, §9).
 */
final class Http3RequestHandler extends Http3StreamHandler {

    private final ContextInternal context;
    private final Handler<ProxyExchange> flow;
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

    /** FIN before any HEADERS: there is no request to answer. */
    @Override
    protected void finWithoutEnd(ChannelHandlerContext ctx) {
        ctx.close();
    }
}
