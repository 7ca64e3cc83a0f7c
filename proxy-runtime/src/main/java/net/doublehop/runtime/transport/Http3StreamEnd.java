package net.doublehop.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * A tunnel end on an HTTP/3 request stream, a listener's or a client's: DATA frames, FIN as the half-close,
 * RESET_STREAM as the abort. The stream's close reaches the relay by the channel's close future.
 */
public final class Http3StreamEnd extends ChannelEnd {

    /** H3_REQUEST_CANCELLED (RFC 9114 §8.1): the tunnel was aborted. */
    static final int REQUEST_CANCELLED = 0x10c;

    private final QuicStreamChannel stream;

    public Http3StreamEnd(QuicStreamChannel stream, LoopContext context) {
        super(stream, context);
        this.stream = stream;
        stream.closeFuture().addListener(f -> closed());
    }

    public long streamId() {
        return stream.streamId();
    }

    @Override
    protected Object frame(ByteBuf data) {
        return new DefaultHttp3DataFrame(data);
    }

    @Override
    protected void writeEnd() {
        stream.shutdownOutput();
    }

    @Override
    protected void writeReset() {
        stream.shutdown(REQUEST_CANCELLED).addListener(f -> stream.close());
    }
}
