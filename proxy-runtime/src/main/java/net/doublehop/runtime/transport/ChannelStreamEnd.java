package net.doublehop.runtime.transport;

import net.doublehop.runtime.vertx.NettyBuffers;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import net.doublehop.runtime.vertx.LoopContext;
import java.util.ArrayDeque;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * One end of a tunnel carried by a stream of a multiplexed connection (an HTTP/2 stream channel, an HTTP/3 request
 * stream), whether a client's at a listener or the next hop's at a client connection. Subclasses say how data, the
 * end of our output and an abort are written in their protocol; this class holds the relay's handlers, delivers
 * on the owning Vert.x context's thread, and does backpressure with the channel's auto-read and writability.
 *
 * <p>What arrives before the relay installs its handler (a client may send right after its request) is held, and
 * reading stops until then, so the hold is at most one read.
 */
public abstract class ChannelStreamEnd implements TunnelEnd {

    protected final Channel channel;
    private final LoopContext context;
    private final ArrayDeque<Buffer> held = new ArrayDeque<>();
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Void> closeHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    private boolean inputEnded;
    private boolean endDelivered;
    private boolean outputEnded;
    private boolean resetByPeer;
    private ChannelFuture lastWrite;
    /** Set by the relay from its own thread, read on the channel's. */
    private volatile boolean passBuffers;

    protected ChannelStreamEnd(Channel channel, LoopContext context) {
        this.channel = channel;
        this.context = context;
        channel.closeFuture().addListener(f -> deliver(null, v -> {
            Handler<Void> h = closeHandler;
            if (h != null) {
                h.handle(null);
            }
        }));
    }

    /** Writes one chunk of tunnel data in the protocol's framing; takes ownership of {@code data}. */
    protected abstract ChannelFuture writeData(ByteBuf data);

    /** Ends our output (FIN, END_STREAM); called once, after the last data was written. */
    protected abstract void writeEnd();

    /** Aborts the stream both ways (RESET_STREAM, RST_STREAM) and closes it. */
    protected abstract void writeReset();

    // --- from the stream's pipeline ---

    /** A chunk of data from the peer; takes ownership of {@code data}. */
    public void inbound(ByteBuf data) {
        Buffer buf = NettyBuffers.inbound(data, passBuffers);
        if (handler == null || !held.isEmpty()) {
            held.add(buf);
            channel.config().setAutoRead(false);
            return;
        }
        deliver(buf, handler);
    }

    /** The peer ended its output. */
    public void inputClosed() {
        inputEnded = true;
        deliverEnd();
    }

    public void writabilityChanged() {
        Handler<Void> h = drainHandler;
        if (h != null && channel.isWritable()) {
            drainHandler = null;
            deliver(null, h);
        }
    }

    /**
     * The peer aborted the stream (RST_STREAM): nothing more is written on it, not even our own reset, which would
     * answer theirs (RFC 9113 §5.4.2 forbids that).
     */
    public void resetByPeer() {
        resetByPeer = true;
        outputEnded = true;
    }

    public void failed(Throwable t) {
        Handler<Throwable> h = exceptionHandler;
        if (h != null) {
            deliver(t, h);
        }
    }

    /** Nobody will read this stream (the request was refused): drop what was held. */
    public void discard() {
        while (!held.isEmpty()) {
            NettyBuffers.drop(held.poll());
        }
    }

    private void deliverEnd() {
        // Only once a relay took both the data and the end: an end that comes before its handler waits for it.
        Handler<Void> h = endHandler;
        if (inputEnded && held.isEmpty() && handler != null && h != null && !endDelivered) {
            endDelivered = true;
            deliver(null, h);
        }
    }

    /** Completes {@code promise} on this end's context thread (a next hop's answer to a request on this stream). */
    public <T> void completeOnContext(io.vertx.core.Promise<T> promise, T value) {
        deliver(value, promise::tryComplete);
    }

    /** On the context's thread: at once when this is it (the listener's case), else queued to it. */
    private <T> void deliver(T value, Handler<T> h) {
        if (context.nettyEventLoop().inEventLoop()) {
            context.emit(value, h);
        } else {
            context.execute(value, h);
        }
    }

    // --- TunnelEnd, for the relay ---

    @Override
    public void handler(Handler<Buffer> handler) {
        this.handler = handler;
        while (!held.isEmpty()) {
            deliver(held.poll(), handler);
        }
        deliverEnd();
        channel.config().setAutoRead(true);
    }

    @Override
    public void endHandler(Handler<Void> handler) {
        this.endHandler = handler;
        deliverEnd();
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        this.closeHandler = handler;
    }

    @Override
    public void exceptionHandler(Handler<Throwable> handler) {
        this.exceptionHandler = handler;
    }

    @Override
    public boolean takesBuffers() {
        return true;
    }

    @Override
    public void passBuffers() {
        passBuffers = true;
    }

    @Override
    public void write(Buffer data) {
        if (outputEnded || !channel.isActive()) {
            NettyBuffers.drop(data);
            return;
        }
        lastWrite = writeData(NettyBuffers.outbound(data));
    }

    @Override
    public boolean writeQueueFull() {
        return channel.isActive() && !channel.isWritable();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        this.drainHandler = handler;
        writabilityChanged();
    }

    @Override
    public void stopReading() {
        channel.config().setAutoRead(false);
    }

    @Override
    public void startReading() {
        channel.config().setAutoRead(true);
    }

    /** The end of our output after everything written (a shutdown is not queued behind pending writes). */
    @Override
    public void endOutput() {
        if (outputEnded) {
            return;
        }
        outputEnded = true;
        if (lastWrite == null || lastWrite.isDone()) {
            writeEnd();
        } else {
            lastWrite.addListener(f -> writeEnd());
        }
    }

    @Override
    public void close() {
        if (!channel.isActive()) {
            return;
        }
        endOutput();
        if (lastWrite == null || lastWrite.isDone()) {
            channel.close();
        } else {
            lastWrite.addListener(f -> channel.close());
        }
    }

    @Override
    public void reset() {
        outputEnded = true;
        discard();
        if (channel.isActive() && !resetByPeer) {
            writeReset();
        }
    }
}
