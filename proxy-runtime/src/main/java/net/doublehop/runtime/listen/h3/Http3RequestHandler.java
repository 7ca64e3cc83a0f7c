package net.doublehop.runtime.listen.h3;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Handler;
import net.doublehop.runtime.vertx.LoopContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import net.doublehop.runtime.listen.EarlyResets;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.transport.Http3StreamEnd;
import net.doublehop.runtime.transport.Http3StreamHandler;

/**
 * One HTTP/3 request stream: its HEADERS become a {@link ProxyExchange} handed to the flow (on the listener's
 * Vert.x context), its DATA and FIN go to the stream's tunnel end. Trailers and unknown frame types are
 * ignored (RFC 9114 §4.1, §9).
 */
final class Http3RequestHandler extends Http3StreamHandler {

    /** HTTP/3's H3_EXCESSIVE_LOAD (RFC 9114 §8.1): the peer is generating excessive load. */
    static final int H3_EXCESSIVE_LOAD = 0x107;
    private static final Logger LOG = System.getLogger(Http3RequestHandler.class.getName());

    private final LoopContext context;
    private final Handler<ProxyExchange> flow;
    private final EarlyResets earlyResets;
    private final Http3HeaderDeadlines deadlines;
    private ScheduledFuture<?> headerDeadline; // this stream's, until its HEADERS arrive
    private Http3Exchange exchange;

    Http3RequestHandler(LoopContext context, Handler<ProxyExchange> flow, EarlyResets earlyResets,
            Http3HeaderDeadlines deadlines, ScheduledFuture<?> headerDeadline) {
        this.context = context;
        this.flow = flow;
        this.earlyResets = earlyResets;
        this.deadlines = deadlines;
        this.headerDeadline = headerDeadline;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        headerDeadline.cancel(false);
        super.channelInactive(ctx);
    }

    /**
     * The stream failed: a peer's RESET_STREAM / STOP_SENDING or a malformed frame. Before the answer that is what a
     * Rapid Reset attack does (each request costs us authentication and a dial), so it counts against the
     * connection's budget; beyond it the whole QUIC connection is closed.
     */
    @Override
    protected void failed(Throwable t) {
        super.failed(t);
        if (exchange != null && !exchange.answerSent()) {
            QuicChannel connection = (QuicChannel) exchange.streamChannel().parent();
            if (connection.isActive() && !earlyResets.allow(System.nanoTime())) {
                LOG.log(Level.WARNING, "an HTTP/3 client reset more than {0} unanswered streams in 30 s"
                        + " (limits.max-stream-resets-per-30s): connection closed with H3_EXCESSIVE_LOAD",
                        earlyResets.max());
                connection.close(true, H3_EXCESSIVE_LOAD,
                        Unpooled.copiedBuffer("too many requests reset", StandardCharsets.US_ASCII));
            }
        }
    }

    @Override
    protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
        if (exchange != null) {
            return; // trailers: nothing a tunnel needs
        }
        deadlines.headersReceived(headerDeadline);
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
