package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.doublehop.protocol.masque.Capsule;
import net.doublehop.protocol.masque.CapsuleWriter;
import net.doublehop.protocol.masque.QuicVarInt;
import net.doublehop.protocol.masque.UdpPayload;
import org.junit.jupiter.api.Test;

/** The capsule stream of a CONNECT-UDP flow, to and from UDP payloads. */
class CapsuleCodecTest {

    /** Collects the payloads the codec passes on (copied: they are views valid only during channelRead). */
    static final class Sink extends ChannelInboundHandlerAdapter {
        final List<String> payloads = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            payloads.add(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }
    }

    private static byte[] datagram(String payload) {
        return CapsuleWriter.datagram(ByteBuffer.wrap(UdpPayload.encode(
                ByteBuffer.wrap(payload.getBytes(StandardCharsets.ISO_8859_1)))));
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf b = Unpooled.buffer();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return ByteBufUtil.getBytes(b);
    }

    @Test
    void payloadsOutAreDatagramCapsulesWithContextIdZero() {
        EmbeddedChannel ch = new EmbeddedChannel(new CapsuleCodec());
        byte[] payload = "x".repeat(1200).getBytes(StandardCharsets.ISO_8859_1);
        ch.writeOutbound(Unpooled.wrappedBuffer(payload));
        ByteBuf out = ch.readOutbound();
        byte[] wire = ByteBufUtil.getBytes(out);
        out.release();
        // type 0x00, length 1201 as a 2-byte varint (0x44B1), context ID 0, payload
        assertThat(wire).hasSize(1 + 2 + 1 + 1200);
        assertThat(wire[0]).isEqualTo((byte) 0x00);
        assertThat(QuicVarInt.read(ByteBuffer.wrap(wire, 1, 2))).isEqualTo(1201);
        assertThat(wire[3]).isEqualTo((byte) 0x00);
        assertThat(wire).isEqualTo(datagram("x".repeat(1200)));
    }

    @Test
    void capsulesSplitAnywhereOrSharingAChunkComeOutAsPayloads() {
        byte[] stream = concat(datagram("hello"), datagram("y".repeat(300)), datagram(""), datagram("end"));
        for (int split = 1; split < stream.length; split += 7) {
            Sink sink = new Sink();
            EmbeddedChannel ch = new EmbeddedChannel(new CapsuleCodec(), sink);
            ch.writeInbound(Unpooled.wrappedBuffer(stream, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(stream, split, stream.length - split));
            assertThat(sink.payloads).as("split at " + split).containsExactly("hello", "y".repeat(300), "", "end");
            assertThat(sink.errors).isEmpty();
        }
    }

    @Test
    void otherCapsuleTypesAndUnknownContextsAreSkipped() {
        byte[] grease = CapsuleWriter.encode(new Capsule(0x17, ByteBuffer.wrap(new byte[40])));
        byte[] otherContext = CapsuleWriter.datagram(ByteBuffer.wrap(new byte[] {0x02, 'z'})); // context ID 2
        Sink sink = new Sink();
        CapsuleCodec codec = new CapsuleCodec();
        EmbeddedChannel ch = new EmbeddedChannel(codec, sink);
        ch.writeInbound(Unpooled.wrappedBuffer(concat(grease, datagram("a"), otherContext, datagram("b"))));
        assertThat(sink.payloads).containsExactly("a", "b");
        assertThat(codec.ignored).isEqualTo(2);
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void aMalformedStreamFailsTheFlow() {
        Sink sink = new Sink();
        EmbeddedChannel ch = new EmbeddedChannel(new CapsuleCodec(), sink);
        // An empty DATAGRAM capsule: no context ID (RFC 9297 §3.3 malformed).
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x00, 0x00}));
        assertThat(sink.errors).singleElement().satisfies(e -> assertThat(e.getMessage()).contains("malformed"));
        assertThat(ch.isActive()).isFalse();
    }
}
