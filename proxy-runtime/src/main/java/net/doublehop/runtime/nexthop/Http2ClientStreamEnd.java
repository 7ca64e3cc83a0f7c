package net.doublehop.runtime.nexthop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import net.doublehop.runtime.transport.ChannelEnd;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * A tunnel end on a stream of our HTTP/2 connection to the next hop (a Netty multiplex child channel): DATA frames,
 * END_STREAM as the half-close, RST_STREAM CANCEL as the abort. Flow control follows reading: the child channel
 * returns window as its frames are read, so auto-read off is backpressure all the way to the peer. The stream's
 * close reaches the relay by the channel's close future.
 */
public final class Http2ClientStreamEnd extends ChannelEnd {

    private final Http2StreamChannel stream;

    public Http2ClientStreamEnd(Http2StreamChannel stream, LoopContext context) {
        super(stream, context);
        this.stream = stream;
        stream.closeFuture().addListener(f -> closed());
    }

    Http2StreamChannel stream() {
        return stream;
    }

    @Override
    protected Object frame(ByteBuf data) {
        return new DefaultHttp2DataFrame(data);
    }

    @Override
    protected void writeEnd() {
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true));
    }

    @Override
    protected void writeReset() {
        stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).addListener(f -> stream.close());
    }
}
