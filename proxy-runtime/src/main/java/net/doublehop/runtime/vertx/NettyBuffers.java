package net.doublehop.runtime.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Between Vert.x's {@link Buffer} and Netty's {@link ByteBuf}, where a Vert.x API meets tunnel data (which is Netty
 * buffers with their ownership, see {@code relay.TunnelEnd}). Vert.x itself must never be handed a pooled buffer:
 * it cannot release it, so the pooled memory would leak ({@link #heapCopy}).
 */
public final class NettyBuffers {

    private NettyBuffers() {
    }

    /**
     * A ByteBuf over {@code data}'s bytes, without a copy, that may be released or handed to a Netty write at no
     * cost (the release does nothing): Vert.x keeps its buffer as it was.
     */
    public static ByteBuf view(Buffer data) {
        return Unpooled.unreleasableBuffer(((BufferInternal) data).getByteBuf());
    }

    /** A heap copy of {@code data} for Vert.x; takes ownership of {@code data} and releases it. */
    public static Buffer heapCopy(ByteBuf data) {
        try {
            return Buffer.buffer(ByteBufUtil.getBytes(data));
        } finally {
            data.release();
        }
    }
}
