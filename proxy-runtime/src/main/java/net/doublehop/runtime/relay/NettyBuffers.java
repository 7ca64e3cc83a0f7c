package net.doublehop.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.VertxHeapByteBuf;
import io.vertx.core.buffer.impl.VertxUnsafeHeapByteBuf;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Tunnel data between Netty channels and the relay, which speaks Vert.x {@link Buffer}. Between two ends that are
 * both Netty channels (see {@link TunnelEnd#takesBuffers}) a chunk is the frame's own buffer, wrapped: the reading
 * end hands it over, the writing end gives it to Netty, which releases it once written. Anything else (what Vert.x
 * sockets read, what the proxy builds) is a Vert.x heap buffer and is written as before, its content left intact.
 */
public final class NettyBuffers {

    private NettyBuffers() {
    }

    /** Read data for the relay; takes ownership of {@code data}. Without {@code pass}, a heap copy (Vert.x's). */
    public static Buffer inbound(ByteBuf data, boolean pass) {
        return pass ? BufferInternal.buffer(data) : BufferInternal.safeBuffer(data);
    }

    /** The Netty buffer to write for {@code data}; Netty releases it once written. */
    public static ByteBuf outbound(Buffer data) {
        BufferInternal b = (BufferInternal) data;
        ByteBuf own = b.unwrap();
        if (own instanceof VertxHeapByteBuf || own instanceof VertxUnsafeHeapByteBuf) {
            return b.getByteBuf(); // a slice: the Buffer may be used again, releasing it costs nothing
        }
        return own; // a frame's buffer the relay handed over: nobody else holds it
    }

    /** Data that will not be written after all (the end is gone): a handed-over frame buffer goes back. */
    public static void drop(Buffer data) {
        ReferenceCountUtil.release(outbound(data));
    }
}
