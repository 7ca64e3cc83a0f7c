package net.doublehop.runtime.listen.tcp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The last handler of every connection: closes it when idle, and takes what nothing else did. A peer that
 * resets or drops a connection is ordinary network weather, not a proxy fault: a DEBUG line naming only the
 * error's class (never the peer's address), where Netty's pipeline tail would log a WARN.
 *
 * <p>On HTTP/2 a connection error ends with GOAWAY carrying its error code, then the close (RFC 9113 §5.4.1). The
 * codec's own close would send GOAWAY NO_ERROR, and the peer reads the first GOAWAY only, so nothing here closes
 * an HTTP/2 connection without a GOAWAY of its own first.
 */
@ChannelHandler.Sharable
public final class ConnectionGuard extends ChannelInboundHandlerAdapter {

    static final ConnectionGuard INSTANCE = new ConnectionGuard();

    private static final Logger LOG = System.getLogger("proxy.connections");

    private ConnectionGuard() {
    }

    public static void logQuietly(String what, Throwable t) {
        LOG.log(Level.DEBUG, "{0}: {1}", what, t.getClass().getName());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            TcpConnections.forceClose(ctx.channel());
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        logQuietly("connection error", cause);
        if (ctx.pipeline().get(Http2FrameCodec.class) == null) {
            ctx.close();
        } else if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) == null) {
            // not HTTP/2's own error (a fault of ours, an I/O error): INTERNAL_ERROR (RFC 9113 §7)
            ctx.write(new DefaultHttp2GoAwayFrame(Http2Error.INTERNAL_ERROR));
            ctx.close();
        }
        // else a connection error of the codec, which shows it here first, then sends its GOAWAY with the error's
        // code and the last stream it may have processed, and closes
    }
}
