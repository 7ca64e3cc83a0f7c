package net.doublehop.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * An HTTP/1.1 client whose connection became the tunnel (after {@code 200} to CONNECT or {@code 101} to an
 * upgrade): raw bytes both ways. Its data ends with the connection, and its output ends by closing the
 * connection once everything written is flushed.
 */
public final class Http1TunnelEnd extends ChannelEnd {

    public Http1TunnelEnd(Channel channel, LoopContext context) {
        super(channel, context);
    }

    @Override
    protected Object frame(ByteBuf data) {
        return data;
    }

    /** An HTTP/1.1 client has no half-close of its own: the end of our output is the connection's close. */
    @Override
    protected void writeEnd() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected void writeReset() {
        channel.close();
    }

    /** {@link #writeEnd} already closes. */
    @Override
    protected void finishClose() {
    }
}
