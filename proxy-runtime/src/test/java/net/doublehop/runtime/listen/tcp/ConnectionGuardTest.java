package net.doublehop.runtime.listen.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import org.junit.jupiter.api.Test;

/**
 * RFC 9113 §5.4.1 at the end of an HTTP/2 connection's pipeline: whatever ends the connection with an error, the
 * first GOAWAY the peer reads carries that error's code, not NO_ERROR. The pipeline is the listener's (codec,
 * multiplexer, guard) on an embedded channel, so what A writes is read frame by frame.
 */
class ConnectionGuardTest {

    private static final int GOAWAY = 0x7;

    private static EmbeddedChannel http2Connection() {
        EmbeddedChannel ch = new EmbeddedChannel(
                Http2FrameCodecBuilder.forServer().gracefulShutdownTimeoutMillis(0).build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                ConnectionGuard.INSTANCE);
        ByteBuf preface = Unpooled.buffer();
        preface.writeBytes(Http2CodecUtil.connectionPrefaceBuf());
        frame(preface, 0x4, 0, 0, 0); // an empty SETTINGS
        ch.writeInbound(preface);
        ch.runPendingTasks();
        return ch;
    }

    private static void frame(ByteBuf out, int type, int flags, int stream, int payloadLength) {
        out.writeMedium(payloadLength).writeByte(type).writeByte(flags).writeInt(stream).writeZero(payloadLength);
    }

    /** The error code of the first GOAWAY among everything the channel wrote, or -1 without one. */
    private static long firstGoAwayError(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        try {
            while (all.readableBytes() >= 9) {
                int length = all.readUnsignedMedium();
                int type = all.readUnsignedByte();
                all.skipBytes(5);
                if (type == GOAWAY) {
                    all.skipBytes(4); // the last stream id
                    return all.readUnsignedInt();
                }
                all.skipBytes(length);
            }
            return -1;
        } finally {
            all.release();
        }
    }

    @Test
    void aProtocolErrorOfThePeerGetsItsCodeInTheGoAway() {
        EmbeddedChannel ch = http2Connection();
        ByteBuf data = Unpooled.buffer();
        frame(data, 0x0, 0, 0, 1); // DATA on stream 0 (RFC 9113 §6.1: a connection error PROTOCOL_ERROR)
        ch.writeInbound(data);
        ch.runPendingTasks();
        assertThat(firstGoAwayError(ch)).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anErrorOfOursGetsInternalErrorInTheGoAway() {
        EmbeddedChannel ch = http2Connection();
        ch.pipeline().fireExceptionCaught(new IllegalStateException("a fault of a handler"));
        ch.runPendingTasks();
        assertThat(firstGoAwayError(ch)).isEqualTo(Http2Error.INTERNAL_ERROR.code());
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void anErrorOnAConnectionWithoutHttp2Closes() {
        EmbeddedChannel ch = new EmbeddedChannel(ConnectionGuard.INSTANCE);
        ch.pipeline().fireExceptionCaught(new IllegalStateException("a fault of a handler"));
        assertThat(ch.isOpen()).isFalse();
    }
}
