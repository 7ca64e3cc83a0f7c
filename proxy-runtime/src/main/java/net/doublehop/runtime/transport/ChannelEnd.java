package net.doublehop.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * One end of a tunnel carried by a Netty channel, on the listener's side and the next hop's alike: a whole TCP
 * connection ({@link TcpTunnelEnd}), an HTTP/1.1 connection that became the tunnel ({@link Http1TunnelEnd}), an
 * HTTP/2 stream ({@link Http2ServerStreamEnd}, {@code nexthop.Http2ClientStreamEnd}) or an HTTP/3 request stream
 * ({@link Http3StreamEnd}). This class does all they share; a subclass only says how a chunk is framed, how its
 * output ends, how it aborts, and what a graceful close adds.
 *
 * <ul>
 *   <li><b>Hold.</b> What arrives before the relay installs its handler is held (a client may send right behind its
 *       request); past {@link #HOLD_LIMIT} bytes reading stops until then.</li>
 *   <li><b>Order.</b> The relay sees the data, then the end of the data, then the close: never the close before an
 *       end it has not seen.</li>
 *   <li><b>Threads.</b> All state lives on the channel's event loop: the relay's calls from another thread (a next
 *       hop's connection on another loop) are queued to it. The relay's handlers run on its Vert.x context: at once
 *       when that is the channel's loop (the usual case), else queued to it.</li>
 *   <li><b>Backpressure.</b> Netty's: auto-read off stops reading (on a stream that withholds its flow-control
 *       window), writability says when the peer's side is full.</li>
 *   <li><b>Flushing.</b> Writes are flushed once per event-loop turn, not per write: what one batch of reads on the
 *       other leg brought (up to 16 reads) leaves in as few TLS records, QUIC packets and system calls as fit.
 *       Flushing every write cost a third more CPU per byte on an HTTP/1.1 download through B.</li>
 * </ul>
 */
public abstract class ChannelEnd implements TunnelEnd {

    /** Bytes held for a relay not wired yet before reading stops. */
    public static final int HOLD_LIMIT = 64 * 1024;

    protected final Channel channel;
    private final LoopContext context;
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private int heldBytes;
    private Handler<ByteBuf> handler;
    private Handler<Void> endHandler;
    private Handler<Void> closeHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    /** Set by the relay, read on the channel's loop. */
    private volatile boolean readingStopped;
    private boolean discarding;
    private boolean inputEnded;
    private boolean endDelivered;
    private boolean closed;
    private boolean closeDelivered;
    private boolean outputEnded;
    private boolean resetByPeer;
    private boolean flushScheduled;
    private ChannelFuture lastWrite;

    protected ChannelEnd(Channel channel, LoopContext context) {
        this.channel = channel;
        this.context = context;
    }

    /** One chunk of tunnel data in the protocol's framing (the ByteBuf itself on a byte stream); takes ownership. */
    protected abstract Object frame(ByteBuf data);

    /** Ends our output (FIN, END_STREAM, an HTTP/1.1 close); called once, after everything written was written. */
    protected abstract void writeEnd();

    /** Aborts both ways (RST_STREAM, RESET_STREAM, a connection's close); called once, while the channel is open. */
    protected abstract void writeReset();

    /** A graceful close once our output ended and was written: by default the channel closes. */
    protected void finishClose() {
        channel.close();
    }

    // --- from the channel's pipeline, on its event loop ---

    /** A chunk of data from the peer; takes ownership of {@code data}. */
    public final void inbound(ByteBuf data) {
        if (discarding || !data.isReadable()) {
            data.release();
            return;
        }
        Handler<ByteBuf> h = handler;
        if (h == null) {
            held.add(data);
            heldBytes += data.readableBytes();
            if (heldBytes >= HOLD_LIMIT) {
                channel.config().setAutoRead(false);
            }
            return;
        }
        deliver(data, h);
    }

    /** The peer ended its data (FIN, END_STREAM, the connection's end). */
    public final void inputClosed() {
        inputEnded = true;
        deliverEnd();
    }

    public final boolean inputEnded() {
        return inputEnded;
    }

    public final boolean outputEnded() {
        return outputEnded;
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
            deliver(null, h);
        }
    }

    public final void failed(Throwable t) {
        Handler<Throwable> h = exceptionHandler;
        if (h != null) {
            deliver(t, h);
        }
    }

    /**
     * The peer aborted the stream (RST_STREAM, RESET_STREAM): nothing more is written on it, not even our own reset,
     * which would answer theirs (RFC 9113 §5.4.2 forbids that).
     */
    public final void resetByPeer() {
        resetByPeer = true;
        outputEnded = true;
    }

    /** Nobody will read this end (the request was refused): drop what was held and what comes, keep reading. */
    public final void discard() {
        discarding = true;
        while (!held.isEmpty()) {
            held.poll().release();
        }
        heldBytes = 0;
        channel.config().setAutoRead(true);
    }

    /** Completes {@code promise} on the relay's context (a next hop's answer to the request on this stream). */
    public final <T> void completeOnContext(Promise<T> promise, T value) {
        deliver(value, promise::tryComplete);
    }

    private void deliverEnd() {
        // Only once a relay took both the data and the end: an end that comes before its handler waits for it.
        Handler<Void> h = endHandler;
        if (inputEnded && held.isEmpty() && handler != null && h != null && !endDelivered) {
            endDelivered = true;
            deliver(null, h);
        }
        deliverClose();
    }

    private void deliverClose() {
        Handler<Void> h = closeHandler;
        if (closed && h != null && !closeDelivered && (endDelivered || !inputEnded || endHandler == null)) {
            closeDelivered = true;
            deliver(null, h);
        }
    }

    /** On the relay's context: at once when this thread is its, else queued to it. */
    private <T> void deliver(T value, Handler<T> h) {
        if (context.nettyEventLoop().inEventLoop()) {
            context.emit(value, h);
        } else {
            context.execute(value, h);
        }
    }

    /** True on the channel's loop; otherwise queues {@code again} to it and returns false. */
    private boolean onLoop(Runnable again) {
        if (channel.eventLoop().inEventLoop()) {
            return true;
        }
        channel.eventLoop().execute(again);
        return false;
    }

    private void afterLastWrite(Runnable action) {
        if (lastWrite == null || lastWrite.isDone()) {
            action.run();
        } else {
            lastWrite.addListener(f -> action.run());
        }
    }

    // --- TunnelEnd, for the relay ---

    @Override
    public final void handler(Handler<ByteBuf> handler) {
        if (!onLoop(() -> handler(handler))) {
            return;
        }
        this.handler = handler;
        while (!held.isEmpty()) {
            ByteBuf b = held.poll();
            heldBytes -= b.readableBytes();
            deliver(b, handler);
        }
        deliverEnd();
        if (!readingStopped) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public final void endHandler(Handler<Void> handler) {
        if (onLoop(() -> endHandler(handler))) {
            this.endHandler = handler;
            deliverEnd();
        }
    }

    @Override
    public final void closeHandler(Handler<Void> handler) {
        if (onLoop(() -> closeHandler(handler))) {
            this.closeHandler = handler;
            deliverClose();
        }
    }

    @Override
    public final void exceptionHandler(Handler<Throwable> handler) {
        if (onLoop(() -> exceptionHandler(handler))) {
            this.exceptionHandler = handler;
        }
    }

    @Override
    public final void write(ByteBuf data) {
        if (!onLoop(() -> write(data))) {
            return;
        }
        if (outputEnded || !channel.isActive()) {
            data.release();
            return;
        }
        lastWrite = channel.write(frame(data));
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(() -> {
                flushScheduled = false;
                channel.flush();
            });
        }
    }

    @Override
    public final boolean writeQueueFull() {
        return channel.isActive() && !channel.isWritable();
    }

    @Override
    public final void drainHandler(Handler<Void> handler) {
        if (onLoop(() -> drainHandler(handler))) {
            this.drainHandler = handler;
            writabilityChanged();
        }
    }

    /** Netty's auto-read may be switched from any thread. */
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

    /** The end of our output, after everything written: a shutdown is not queued behind pending writes. */
    @Override
    public final void endOutput() {
        if (!onLoop(this::endOutput) || outputEnded) {
            return;
        }
        outputEnded = true;
        if (channel.isActive()) {
            afterLastWrite(this::writeEnd);
        }
    }

    /** Ends our output, then closes gracefully ({@link #finishClose}) once it is written. */
    @Override
    public void close() {
        if (!onLoop(this::close) || resetByPeer || !channel.isActive()) {
            return;
        }
        endOutput();
        afterLastWrite(this::finishClose);
    }

    @Override
    public final void reset() {
        if (!onLoop(this::reset)) {
            return;
        }
        outputEnded = true;
        discard();
        if (channel.isActive() && !resetByPeer) {
            writeReset();
        }
    }
}
