package net.doublehop.runtime.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.vertx.core.buffer.Buffer;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.vertx.NettyBuffers;

/**
 * An HTTP/1.1 client whose connection became the tunnel (after {@code 200} to CONNECT or {@code 101} to an
 * upgrade): raw bytes both ways. Its data ends with the connection, and its output ends by closing the
 * connection once everything written is flushed.
 */
public final class Http1TunnelEnd extends ChannelTunnelEnd {

    public Http1TunnelEnd(Channel channel, LoopContext context) {
        super(channel, context);
    }

    @Override
    public void write(Buffer data) {
        if (channel.isActive()) {
            writeCoalesced(NettyBuffers.outbound(data));
        } else {
            NettyBuffers.drop(data);
        }
    }

    @Override
    public void endOutput() {
        close();
    }

    @Override
    public void close() {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void reset() {
        channel.close();
    }
}
