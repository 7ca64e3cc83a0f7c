package net.doublehop.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Tunnel data that stays in the pooled (usually direct) buffer Netty read it into, instead of Vert.x's safe
 * heap copy: a Buffer from {@link #wrap} owns one reference to its ByteBuf, and whoever ends up with it either
 * hands that ByteBuf to a Netty write ({@link #forWrite}, the write releases it) or releases it
 * ({@link #release}). The relay passes each buffer straight from one end's handler to the other end's
 * {@code write}, so every {@link TunnelEnd} that may receive one must do either; Vert.x itself must never see
 * one (its {@code getByteBuf()} makes an unreleasable view, so the pooled memory would leak), hence
 * {@link #toHeap}.
 */
public final class OwnedBuffers {

    private OwnedBuffers() { }

    /** A Buffer that owns its ByteBuf (one reference), to be written or released exactly once. */
    private static final class Owned extends BufferImpl {
        Owned(ByteBuf data) {
            super(data);
        }
    }

    /** Wraps {@code data} without copying; the Buffer takes over the caller's reference. */
    public static Buffer wrap(ByteBuf data) {
        // Vert.x's Buffer indexes from 0 (length() is the writer index): a read buffer already starts there.
        return new Owned(data.readerIndex() == 0 ? data : data.slice());
    }

    /** True for a Buffer from {@link #wrap}. */
    public static boolean owned(Buffer data) {
        return data instanceof Owned;
    }

    /**
     * The ByteBuf to hand to a Netty write, which then releases it: an owned buffer's own ByteBuf (the reference
     * passes to Netty), or, for any other Buffer, Vert.x's view of it as before.
     */
    public static ByteBuf forWrite(Buffer data) {
        return data instanceof Owned owned ? owned.unwrap() : ((BufferInternal) data).getByteBuf();
    }

    /** Drops a buffer that will not be written; releases it if it is owned. */
    public static void release(Buffer data) {
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
            return Buffer.buffer(io.netty.buffer.ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }
}
