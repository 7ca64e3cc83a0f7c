package net.doublehop.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * The client end of a tunnel carried by one HTTP/2 stream (a child channel of Netty's multiplexer): DATA frames
 * both ways, END_STREAM as the half-close, RST_STREAM as the abort. Reading stops by turning the child channel's
 * auto-read off, which withholds the stream's flow-control window from the client; the window is returned as the
 * relay takes the data. Writes wait on the client's window: the child channel is unwritable meanwhile.
 */
public final class Http2ServerStreamEnd extends ChannelEnd {

    public Http2ServerStreamEnd(Http2StreamChannel stream, LoopContext context) {
        super(stream, context);
    }

    @Override
    protected Object frame(ByteBuf data) {
        return new DefaultHttp2DataFrame(data);
    }

    @Override
    protected void writeEnd() {
        channel.writeAndFlush(new DefaultHttp2DataFrame(true));
    }

    /** RST_STREAM CANCEL: the multiplexer sends it when an open stream's channel closes. */
    @Override
    protected void writeReset() {
        channel.close();
    }

    /**
     * After our END_STREAM, if the client still has its side open: RST_STREAM with NO_ERROR (RFC 9113 §8.1: we need
     * nothing more from it). With both sides ended the stream is closed already.
     */
    @Override
    protected void finishClose() {
        if (channel.isActive() && !inputEnded()) {
            channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
        }
    }
}
