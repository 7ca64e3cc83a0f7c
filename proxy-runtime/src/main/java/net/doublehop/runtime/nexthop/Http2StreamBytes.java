package net.doublehop.runtime.nexthop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * An HTTP/2 stream channel as a plain byte pipe, for a protocol carried inside a CONNECT tunnel (the local client's
 * TLS connection to Proxy B through a stream to Proxy A): DATA frames in are their bytes, bytes out are DATA frames.
 * The end of the stream (END_STREAM, RST_STREAM) closes the channel, as a TCP connection's end would. Flow control
 * stays the stream channel's: window is returned as frames are read.
 */
final class Http2StreamBytes extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2DataFrame frame) {
            boolean last = frame.isEndStream();
            if (frame.content().isReadable()) {
                ctx.fireChannelRead(frame.content()); // the frame's buffer, passed on: its release is the reader's
            } else {
                frame.release();
            }
            if (last) {
                ctx.close();
            }
        } else {
            boolean last = msg instanceof Http2HeadersFrame h && h.isEndStream(); // trailers end the stream
            ReferenceCountUtil.release(msg);
            if (last) {
                ctx.close();
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof Http2ResetFrame) {
            ctx.executor().execute(ctx::close); // after the codec closed the stream (see Http2ClientConnection)
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf data) {
            ctx.write(new DefaultHttp2DataFrame(data), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
