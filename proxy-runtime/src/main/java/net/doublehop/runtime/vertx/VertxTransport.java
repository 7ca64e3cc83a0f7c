package net.doublehop.runtime.vertx;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.Vertx;
import io.vertx.core.impl.buffer.VertxByteBufAllocator;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.StreamChannelInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.spi.transport.Transport;

/**
 * What the proxy's own Netty channels borrow from the Vert.x instance they run on, through Vert.x internals (there
 * is no public API for any of it): the transport (native epoll when Vert.x uses it, else NIO), so listener, next-hop
 * and dialled channels are the same kind as Vert.x's own and live on its event loops; Vert.x's pooled allocator, so
 * there is one set of buffer arenas, not two; and the Netty channel under a Vert.x socket, for a TCP half-close
 * Vert.x's {@code NetSocket} cannot do.
 */
public final class VertxTransport {

    private VertxTransport() {
    }

    /** The channel factories of {@code vertx}'s transport. */
    public static Transport of(Vertx vertx) {
        return ((VertxInternal) vertx).transport();
    }

    /** Vert.x's pooled allocator, which its servers and clients use. */
    public static ByteBufAllocator pooledAllocator() {
        return VertxByteBufAllocator.POOLED_ALLOCATOR;
    }

    /** The TCP channel under a Vert.x socket, or null when it is not one (a stream of a multiplexed connection). */
    public static DuplexChannel duplexChannel(NetSocket socket) {
        if (socket instanceof StreamChannelInternal internal) {
            Channel ch = internal.channelHandlerContext().channel();
            if (ch instanceof DuplexChannel duplex) {
                return duplex;
            }
        }
        return null;
    }
}
