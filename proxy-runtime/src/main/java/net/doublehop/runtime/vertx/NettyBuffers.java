package net.doublehop.runtime.vertx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.internal.buffer.BufferInternal;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * Tunnel data between Netty channels and the relay, which speaks Vert.x {@link Buffer}. Between two ends that are
 * both Netty channels (see {@link TunnelEnd#takesBuffers}) a chunk stays in the pooled (usually direct) buffer
 * Netty read it into: the reading end hands it over as an <em>owned</em> Buffer holding one reference, and the
 * writing end gives that ByteBuf to Netty, which releases it once written, or releases it if it cannot write.
 * Anything else (what Vert.x sockets read, what the proxy builds) is a Vert.x heap buffer, written as before and
 * left intact. Vert.x itself must never be handed an owned buffer: its {@code getByteBuf()} makes an unreleasable
 * view, so the pooled memory would leak ({@link #toHeap}).
 */
public final class NettyBuffers {

    private NettyBuffers() {
    }

    /** A Buffer that owns its ByteBuf (one reference), to be written or released exactly once. */
    private static final class Owned extends BufferImpl {
        Owned(ByteBuf data) {
            super(data);
        }
    }

    /** Read data for the relay; takes ownership of {@code data}. Without {@code pass}, a heap copy (Vert.x's). */
    public static Buffer inbound(ByteBuf data, boolean pass) {
        // Vert.x's Buffer indexes from 0 (length() is the writer index): a read buffer usually starts there.
        return pass ? new Owned(data.readerIndex() == 0 ? data : data.slice()) : BufferInternal.safeBuffer(data);
    }

    /** True for a Buffer handed over by {@link #inbound} with {@code pass}. */
    public static boolean owned(Buffer data) {
        return data instanceof Owned;
    }

    /**
     * The ByteBuf to hand to a Netty write, which then releases it: an owned buffer's own ByteBuf (the reference
     * passes to Netty), or, for any other Buffer, Vert.x's view of it (releasing that costs nothing).
     */
    public static ByteBuf outbound(Buffer data) {
        return data instanceof Owned owned ? owned.unwrap() : ((BufferInternal) data).getByteBuf();
    }

    /** A read-only view of {@code data}'s bytes for copying out of it; the Buffer keeps its ownership. */
    public static ByteBuf view(Buffer data) {
        return ((BufferInternal) data).getByteBuf();
    }

    /** Data that will not be written after all (the end is gone): an owned buffer goes back to its pool. */
    public static void drop(Buffer data) {
        if (data instanceof Owned owned) {
            owned.unwrap().release();
        }
    }

    /** A Buffer Vert.x may keep: an owned buffer is copied to the heap and released; any other is returned. */
    public static Buffer toHeap(Buffer data) {
        if (!(data instanceof Owned owned)) {
            return data;
        }
        ByteBuf buf = owned.unwrap();
        try {
            return Buffer.buffer(ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }
}
