package net.doublehop.runtime.listen.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Watches an HTTP/2 connection's inbound frames, in front of the codec, for {@code limits.request-header-timeout}:
 * a header block (RFC 9113 §4.3) runs from its HEADERS frame's first byte to the end of the frame carrying
 * END_HEADERS, and nothing else may come between (§6.10), so a HEADERS frame whose CONTINUATION never ends, or a
 * HEADERS frame trickled a byte at a time, stalls the whole connection where the codec cannot see it (it hands on
 * only complete blocks). The first block of a new connection is measured from the handshake; every later one from
 * its own first frame. The bytes pass on untouched; only the 9-byte frame headers (§4.1) are read.
 */
final class Http2HeaderBlockWatch extends ChannelInboundHandlerAdapter {

    private static final int PREFACE_LENGTH = 24; // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", §3.4
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final int HEADERS = 0x1;
    private static final int PUSH_PROMISE = 0x5;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    private final RequestHeaderDeadline deadline;
    private final byte[] frameHeader = new byte[FRAME_HEADER_LENGTH];
    private int prefaceLeft = PREFACE_LENGTH;
    private int frameHeaderFill;
    private boolean inPayload;
    private long payloadLeft;
    private boolean endsBlock;

    Http2HeaderBlockWatch(RequestHeaderDeadline deadline) {
        this.deadline = deadline;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes) {
            scan(bytes, bytes.readerIndex(), bytes.writerIndex());
        }
        ctx.fireChannelRead(msg);
    }

    private void scan(ByteBuf bytes, int from, int to) {
        int i = from;
        while (i < to) {
            if (prefaceLeft > 0) {
                int n = Math.min(prefaceLeft, to - i);
                prefaceLeft -= n;
                i += n;
            } else if (inPayload) {
                int n = (int) Math.min(payloadLeft, to - i);
                payloadLeft -= n;
                i += n;
                if (payloadLeft == 0) {
                    frameEnded();
                }
            } else {
                frameHeader[frameHeaderFill++] = bytes.getByte(i++);
                if (frameHeaderFill == FRAME_HEADER_LENGTH) {
                    frameHeaderFill = 0;
                    frameBegins();
                }
            }
        }
    }

    private void frameBegins() {
        long length = ((frameHeader[0] & 0xffL) << 16) | ((frameHeader[1] & 0xffL) << 8) | (frameHeader[2] & 0xffL);
        int type = frameHeader[3] & 0xff;
        int flags = frameHeader[4] & 0xff;
        boolean blockFrame = type == HEADERS || type == PUSH_PROMISE || type == CONTINUATION;
        if (type == HEADERS || type == PUSH_PROMISE) {
            deadline.arm(); // a header block begins; a new connection's first one keeps the clock from the handshake
        }
        endsBlock = blockFrame && (flags & END_HEADERS) != 0;
        payloadLeft = length;
        inPayload = true;
        if (length == 0) {
            frameEnded();
        }
    }

    private void frameEnded() {
        inPayload = false;
        if (endsBlock) {
            deadline.disarm();
        }
    }
}
