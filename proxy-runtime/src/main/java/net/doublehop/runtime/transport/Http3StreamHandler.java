package net.doublehop.runtime.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Exception;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.http3.Http3UnknownFrame;
import io.netty.handler.codec.quic.QuicException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The frame plumbing of an HTTP/3 request stream on either side (a listener's request, a client's request to the
 * next hop): DATA and FIN to the stream's tunnel end, unknown frame types ignored (RFC 9114 §9), writability for
 * backpressure, errors ending the stream. Subclasses handle HEADERS and say when data may flow.
 */
public abstract class Http3StreamHandler extends Http3RequestStreamInboundHandler {

    private static final Logger LOG = System.getLogger("proxy.connections");

    /** Set once HEADERS made the stream a tunnel (listener) or the request was sent (client). */
    protected Http3StreamEnd end;

    /** The stream's tunnel end, or null before {@link #end(Http3StreamEnd)}. */
    public Http3StreamEnd end() {
        return end;
    }

    /** Makes {@code streamEnd} the end this handler feeds. */
    public void end(Http3StreamEnd streamEnd) {
        this.end = streamEnd;
    }

    /** Whether DATA may go to the end now; otherwise it is dropped. */
    protected boolean dataAllowed() {
        return end != null;
    }

    /** FIN on a stream that never became a tunnel end. */
    protected void finWithoutEnd(ChannelHandlerContext ctx) {
    }

    /** A peer's reset or a malformed frame ends its stream, never the connection or the process. */
    protected void failed(Throwable t) {
        LOG.log(Level.DEBUG, "HTTP/3 stream error: {0}", t.getClass().getName());
        if (end != null) {
            end.failed(t);
        }
    }

    @Override
    protected final void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
        if (dataAllowed()) {
            end.inbound(frame.content()); // takes ownership of the frame's buffer
        } else {
            frame.release();
        }
    }

    @Override
    protected final void channelRead(ChannelHandlerContext ctx, Http3UnknownFrame frame) {
        frame.release();
    }

    @Override
    protected final void channelInputClosed(ChannelHandlerContext ctx) {
        if (end != null) {
            end.inputClosed();
        } else {
            finWithoutEnd(ctx);
        }
    }

    @Override
    public final void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (end != null) {
            end.writabilityChanged();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected final void handleQuicException(ChannelHandlerContext ctx, QuicException e) {
        failed(e);
        super.handleQuicException(ctx, e);
    }

    /** Netty's answer is the RFC's (the stream or connection closed with the error's code); the tunnel ends too. */
    @Override
    protected final void handleHttp3Exception(ChannelHandlerContext ctx, Http3Exception e) {
        failed(e);
        super.handleHttp3Exception(ctx, e);
    }

    @Override
    public final void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
        if (!(t instanceof QuicException) && !(t instanceof Http3Exception)) {
            failed(t);
            ctx.close();
            return;
        }
        super.exceptionCaught(ctx, t);
    }
}
