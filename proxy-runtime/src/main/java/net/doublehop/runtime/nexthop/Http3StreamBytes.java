package net.doublehop.runtime.nexthop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * An HTTP/3 request stream as a plain byte pipe, for a protocol carried inside a CONNECT tunnel (the local client's
 * TLS connection to Proxy B through a stream to Proxy A), as {@link Http2StreamBytes} is for HTTP/2: DATA frames in
 * are their bytes, bytes out are DATA frames; other frames (trailers, unknown types, RFC 9114 §9) are dropped. The
 * peer's FIN or reset closes the channel, as a TCP connection's end would.
 */
final class Http3StreamBytes extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http3DataFrame frame) {
            if (frame.content().isReadable()) {
                ctx.fireChannelRead(frame.content()); // the frame's buffer, passed on: its release is the reader's
            } else {
                frame.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            ctx.close(); // the peer's FIN ends the carried connection
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset or a malformed frame ends the stream, and the connection inside it
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf data) {
            ctx.write(new DefaultHttp3DataFrame(data), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
