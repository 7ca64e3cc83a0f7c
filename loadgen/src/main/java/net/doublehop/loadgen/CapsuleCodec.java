package net.doublehop.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.nio.ByteBuffer;
import net.doublehop.protocol.masque.Capsule;
import net.doublehop.protocol.masque.CapsuleEvent;
import net.doublehop.protocol.masque.CapsuleParser;
import net.doublehop.protocol.masque.UdpPayload;

/**
 * On an upgraded CONNECT-UDP stream (RFC 9298 over HTTP/1.1): turns the capsule stream (RFC 9297 §3) into one
 * ByteBuf per UDP payload and back, so a flow handler sees datagrams whatever carries them.
 *
 * <p>Inbound: DATAGRAM capsules with context ID 0 become their UDP payload; capsules of other types are skipped,
 * unknown context IDs dropped (RFC 9298 §5); a malformed stream fails the flow. A payload that lay whole in the
 * received chunk is passed on as a view of it, valid only during the next handler's {@code channelRead} (the flow
 * handlers read it there and release it). Outbound: each ByteBuf written is one UDP payload, sent as capsule type,
 * length, context ID 0 and the payload, in one buffer.
 */
final class CapsuleCodec extends ChannelDuplexHandler {

    private final CapsuleParser parser = UdpPayload.capsuleParser();
    /** A ByteBuffer over b's readable bytes for the common-protocol parsers: a view, or a copy if b is composite. */
    static ByteBuffer nioView(ByteBuf b) {
        return b.nioBufferCount() == 1 ? b.nioBuffer() : ByteBuffer.wrap(ByteBufUtil.getBytes(b));
    }

    /** Capsule header and context ID for the last payload length written (the workloads send one size). */
    private byte[] prefix;
    private int prefixFor = -1;
    /** Capsules of other types skipped and datagrams with an unknown context ID dropped. */
    long ignored;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            ByteBuffer nio = nioView(in);
            while (ctx.channel().isActive()) {
                CapsuleEvent e = parser.next(nio);
                if (e == CapsuleEvent.NEED_MORE) {
                    return;
                }
                if (e instanceof CapsuleEvent.Failed f) {
                    fail(ctx, "malformed capsule stream from the proxy: " + f.error().details());
                    return;
                }
                if (e instanceof CapsuleEvent.Parsed p && p.capsule().type() == Capsule.DATAGRAM) {
                    UdpPayload.Decoded d = UdpPayload.decode(p.capsule().value());
                    if (d instanceof UdpPayload.Udp udp) {
                        ctx.fireChannelRead(Unpooled.wrappedBuffer(udp.payload()));
                    } else if (d instanceof UdpPayload.UnknownContext) {
                        ignored++;
                    } else {
                        fail(ctx, "malformed DATAGRAM capsule from the proxy (" + d + ")");
                        return;
                    }
                } else {
                    ignored++;
                }
            }
        } finally {
            in.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf payload)) {
            ctx.write(msg, promise);
            return;
        }
        int n = payload.readableBytes();
        if (n != prefixFor) {
            prefix = UdpPayload.datagramCapsulePrefix(n);
            prefixFor = n;
        }
        ByteBuf out = ctx.alloc().buffer(prefix.length + n);
        out.writeBytes(prefix).writeBytes(payload, payload.readerIndex(), n);
        payload.release();
        ctx.write(out, promise);
    }

    private static void fail(ChannelHandlerContext ctx, String why) {
        ctx.fireExceptionCaught(new IOException(why));
        ctx.close();
    }

    /** --direct udp: a connected datagram channel's packets as their payloads (writes go out as they are). */
    static final class Unwrap extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DatagramPacket p) {
                ctx.fireChannelRead(p.content());
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }
}
