package net.doublehop.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import net.doublehop.runtime.vertx.LoopContext;
import java.util.ArrayDeque;
import net.doublehop.runtime.vertx.NettyBuffers;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * The client end of a tunnel carried by a Netty channel (a whole HTTP/1.1 connection, or an HTTP/2 stream's child
 * channel), driven from that channel's pipeline on the listener's event loop. Handlers run on the listener's
 * Vert.x context. What arrives before the relay installs its handler is held (a client may send right behind its
 * request); past {@link #HOLD_LIMIT} reading stops until then. Backpressure is Netty's: auto-read off stops
 * reading (on an HTTP/2 stream that withholds its flow-control window), writability says when the peer's side is
 * full.
 */
public abstract class ChannelTunnelEnd implements TunnelEnd {

    /** Bytes held for a relay not wired yet before reading stops. */
    public static final int HOLD_LIMIT = 64 * 1024;

    final Channel channel;
    final LoopContext context;
    private final ArrayDeque<Buffer> held = new ArrayDeque<>();
    private int heldBytes;
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Void> closeHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    private boolean readingStopped;
    private boolean discarding;
    private boolean inputEnded;
    private boolean endDelivered;
    private boolean closed;
    private boolean closeDelivered;
    private boolean flushScheduled;
    private boolean passBuffers;

    ChannelTunnelEnd(Channel channel, LoopContext context) {
        this.channel = channel;
        this.context = context;
    }

    // --- from the channel's pipeline ---

    /** Takes ownership of {@code data}: handed to the relay as is or as a heap copy (see {@link NettyBuffers}). */
    public final void inbound(ByteBuf data) {
        if (discarding || !data.isReadable()) {
            data.release();
            return;
        }
        Buffer buf = NettyBuffers.inbound(data, passBuffers);
        Handler<Buffer> h = handler;
        if (h == null) {
            held.add(buf);
            heldBytes += buf.length();
            if (heldBytes >= HOLD_LIMIT) {
                channel.config().setAutoRead(false);
            }
            return;
        }
        context.emit(buf, h);
    }

    /** The peer ended its data. */
    public final void inputClosed() {
        inputEnded = true;
        deliverEnd();
    }

    public final boolean inputEnded() {
        return inputEnded;
    }

    /** The channel is gone. */
    public final void closed() {
        closed = true;
        deliverClose();
    }

    public final void writabilityChanged() {
        Handler<Void> h = drainHandler;
        if (h != null && channel.isWritable()) {
            drainHandler = null;
            context.emit(null, h);
        }
    }

    public final void failed(Throwable t) {
        Handler<Throwable> h = exceptionHandler;
        if (h != null) {
            context.emit(t, h);
        }
    }

    /** Nobody will read this end (the request was refused): drop what was held and what comes, keep reading. */
    public final void discard() {
        discarding = true;
        while (!held.isEmpty()) {
            NettyBuffers.drop(held.poll());
        }
        heldBytes = 0;
        channel.config().setAutoRead(true);
    }

    private void deliverEnd() {
        Handler<Void> h = endHandler;
        if (inputEnded && held.isEmpty() && handler != null && h != null && !endDelivered) {
            endDelivered = true;
            context.emit(null, h);
        }
        deliverClose();
    }

    private void deliverClose() {
        Handler<Void> h = closeHandler;
        if (closed && h != null && !closeDelivered && (endDelivered || !inputEnded || endHandler == null)) {
            closeDelivered = true;
            context.emit(null, h);
        }
    }

    /**
     * Writes now, flushes once per event-loop turn rather than per write: what one batch of reads on the other leg
     * brought (up to 16 reads) leaves in as few TLS records and system calls as fit. Flushing every write cost a
     * third more CPU per byte than Vert.x's server on an HTTP/1.1 download through B.
     */
    final ChannelFuture writeCoalesced(Object msg) {
        ChannelFuture f = channel.write(msg);
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(() -> {
                flushScheduled = false;
                channel.flush();
            });
        }
        return f;
    }

    // --- TunnelEnd, for the relay ---

    @Override
    public final void handler(Handler<Buffer> handler) {
        this.handler = handler;
        while (!held.isEmpty()) {
            Buffer b = held.poll();
            heldBytes -= b.length();
            context.emit(b, handler);
        }
        deliverEnd();
        if (!readingStopped) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public final void endHandler(Handler<Void> handler) {
        this.endHandler = handler;
        deliverEnd();
    }

    @Override
    public final void closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
        deliverClose();
    }

    @Override
    public final void exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
    }

    @Override
    public final boolean takesBuffers() {
        return true;
    }

    /** Called on the listener's context, the thread {@link #inbound} runs on. */
    @Override
    public final void passBuffers() {
        passBuffers = true;
    }

    @Override
    public final boolean writeQueueFull() {
        return channel.isActive() && !channel.isWritable();
    }

    @Override
    public final void drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
        writabilityChanged();
    }

    @Override
    public final void stopReading() {
        readingStopped = true;
        channel.config().setAutoRead(false);
    }

    @Override
    public final void startReading() {
        readingStopped = false;
        channel.config().setAutoRead(true);
    }
}
