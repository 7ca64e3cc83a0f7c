package net.doublehop.runtime.server.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import net.doublehop.runtime.relay.OwnedBuffers;

/**
 * An HTTP/1.1 client whose connection became the tunnel (after {@code 200} to CONNECT or {@code 101} to an
 * upgrade): raw bytes both ways. Its data ends with the connection, and its output ends by closing the
 * connection once everything written is flushed.
 */
final class Http1TunnelEnd extends ChannelTunnelEnd {

    Http1TunnelEnd(Channel channel, ContextInternal context) {
        super(channel, context);
    }

    @Override
    public void write(Buffer data) {
        if (channel.isActive()) {
            writeCoalesced(OwnedBuffers.forWrite(data));
        } else {
            OwnedBuffers.release(data);
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
