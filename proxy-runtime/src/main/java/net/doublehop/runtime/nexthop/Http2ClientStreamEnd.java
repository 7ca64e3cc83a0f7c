package net.doublehop.runtime.nexthop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.transport.ChannelStreamEnd;

/**
 * A tunnel end on an HTTP/2 stream (a Netty multiplex child channel): DATA frames, END_STREAM as the half-close,
 * RST_STREAM CANCEL as the abort. Flow control follows reading: the child channel returns window as its frames
 * are read, so auto-read off is backpressure all the way to the peer.
 */
public final class Http2ClientStreamEnd extends ChannelStreamEnd {

    private final Http2StreamChannel stream;

    public Http2ClientStreamEnd(Http2StreamChannel stream, LoopContext context) {
        super(stream, context);
        this.stream = stream;
    }

    Http2StreamChannel stream() {
        return stream;
    }

    @Override
    protected ChannelFuture writeData(ByteBuf data) {
        return stream.writeAndFlush(new DefaultHttp2DataFrame(data));
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
