package net.doublehop.runtime.listen.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * {@code tls: none}: a connection that opens with the HTTP/2 connection preface speaks h2c with prior knowledge
 * (RFC 9113 §3.3), anything else HTTP/1.1. The bytes read so far go on, unconsumed, to the protocol chosen.
 */
final class CleartextDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final ListenerScope scope;

    CleartextDetector(ListenerScope scope) {
        this.scope = scope;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefix = ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n);
        if (prefix && n < PREFACE.readableBytes()) {
            return; // not enough yet to tell
        }
        if (prefix) {
            Http2Connection.install(ctx.channel(), scope);
        } else {
            Http1ServerHandler.install(ctx.channel(), scope);
        }
        // Removal hands what was read to the next handler, the protocol's decoder.
        ctx.pipeline().remove(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionGuard.logQuietly("connection error", cause);
        ctx.close();
    }
}
