package net.doublehop.runtime.listen.tcp;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;

/**
 * The last handler of every connection: closes it when idle, and takes what nothing else did. A peer that
 * resets or drops a connection is ordinary network weather, not a proxy fault: a DEBUG line naming only the
 * error's class (never the peer's address), where Netty's pipeline tail would log a WARN.
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
        ctx.close();
    }
}
