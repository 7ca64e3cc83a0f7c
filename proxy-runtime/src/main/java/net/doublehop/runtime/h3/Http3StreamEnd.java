package net.doublehop.runtime.h3;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * One end of a tunnel carried by an HTTP/3 request stream (Netty's codec), the client's at a listener or the next
 * hop's at a client connection: DATA frames in and out, FIN as the half-close, RESET_STREAM as the abort. What arrives before the relay installs its handler (a client
 * may send right after its request) is held, and reading stops until then, so the hold is at most one read.
 */
final class Http3StreamEnd implements TunnelEnd {

    /** H3_REQUEST_CANCELLED (RFC 9114 §8.1): the tunnel was aborted. */
    static final int REQUEST_CANCELLED = 0x10c;

    private final QuicStreamChannel channel;
    private final ContextInternal context;
    private final ArrayDeque<Buffer> held = new ArrayDeque<>();
    private Handler<Buffer> handler;
    private Handler<Void> endHandler;
    private Handler<Void> closeHandler;
    private Handler<Throwable> exceptionHandler;
    private Handler<Void> drainHandler;
    private boolean inputEnded;
    private boolean endDelivered;
    private boolean outputEnded;
    private ChannelFuture lastWrite;

    long streamId() {
        return channel.streamId();
    }

    Http3StreamEnd(QuicStreamChannel channel, ContextInternal context) {
        this.channel = channel;
        this.context = context;
        channel.closeFuture().addListener(f -> deliver(null, v -> {
            Handler<Void> h = closeHandler;
            if (h != null) {
                h.handle(null);
            }
        }));
    }

    // --- from the stream's pipeline (its event loop, which is the context's) ---

    void inbound(ByteBuf data) {
        // Vert.x's safe buffer: a heap copy, releasing the frame's pooled buffer.
        Buffer buf = BufferInternal.safeBuffer(data);
        if (handler == null || !held.isEmpty()) {
            held.add(buf);
            channel.config().setAutoRead(false);
            return;
        }
        deliver(buf, handler);
    }

    void inputClosed() {
        inputEnded = true;
        deliverEnd();
    }

    void writabilityChanged() {
        Handler<Void> h = drainHandler;
        if (h != null && channel.isWritable()) {
            drainHandler = null;
            deliver(null, h);
        }
    }

    void failed(Throwable t) {
        Handler<Throwable> h = exceptionHandler;
        if (h != null) {
            deliver(t, h);
        }
    }

    /** Nobody will read this stream (the request was refused): drop what was held. */
    void discard() {
        held.clear();
    }

    private void deliverEnd() {
        if (inputEnded && held.isEmpty() && handler != null && !endDelivered) {
            endDelivered = true;
            Handler<Void> h = endHandler;
            if (h != null) {
                deliver(null, h);
            }
        }
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
    public void write(Buffer data) {
        if (outputEnded || !channel.isActive()) {
            return;
        }
        lastWrite = channel.writeAndFlush(new DefaultHttp3DataFrame(((BufferInternal) data).getByteBuf()));
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

    /** FIN after everything written (QUIC's shutdownOutput is not queued behind pending writes). */
    @Override
    public void endOutput() {
        if (outputEnded) {
            return;
        }
        outputEnded = true;
        if (lastWrite == null || lastWrite.isDone()) {
            channel.shutdownOutput();
        } else {
            lastWrite.addListener(QuicStreamChannel.SHUTDOWN_OUTPUT);
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
        if (channel.isActive()) {
            channel.shutdown(REQUEST_CANCELLED).addListener(f -> channel.close());
        }
    }
}
