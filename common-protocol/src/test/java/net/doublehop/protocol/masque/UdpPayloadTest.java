package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** RFC 9298 §5 HTTP Datagram payloads: context 0, unknown contexts, limits, and capsule framing. */
class UdpPayloadTest {

    @Test
    void contextZeroCarriesTheUdpPayload() {
        ByteBuffer in = Hex.buffer(
                "00",        // context ID 0: UDP payload
                "c0ffee");   // UDP payload
        UdpPayload.Decoded d = UdpPayload.decode(in);
        assertThat(d).isInstanceOf(UdpPayload.Udp.class);
        assertThat(Hex.of(((UdpPayload.Udp) d).payload())).isEqualTo("c0ffee");
        assertThat(in.position()).isZero(); // input not consumed
    }

    @Test
    void zeroLengthUdpPayload() {
        UdpPayload.Decoded d = UdpPayload.decode(Hex.buffer(
                "00"));      // context ID 0, nothing after it
        assertThat(((UdpPayload.Udp) d).payload().remaining()).isZero();
    }

    @Test
    void nonMinimalContextZeroIsStillUdp() {
        UdpPayload.Decoded d = UdpPayload.decode(Hex.buffer(
                "c000000000000000", // context ID 0 on eight bytes
                "01"));              // UDP payload
        assertThat(Hex.of(((UdpPayload.Udp) d).payload())).isEqualTo("01");
    }

    @Test
    void nonZeroContextIsDroppedAsUnknown() {
        assertThat(UdpPayload.decode(Hex.buffer(
                "02",        // context ID 2 (client-allocated, never registered)
                "abcd")))    // extension payload
                .isEqualTo(new UdpPayload.UnknownContext(2));
        assertThat(UdpPayload.decode(Hex.buffer(
                "4001")))    // context ID 1 on two bytes, empty payload
                .isEqualTo(new UdpPayload.UnknownContext(1));
        assertThat(UdpPayload.decode(Hex.buffer(
                "ffffffffffffffff"))) // context ID 2^62-1
                .isEqualTo(new UdpPayload.UnknownContext(QuicVarInt.MAX_VALUE));
    }

    @Test
    void missingContextId() {
        assertThat(UdpPayload.decode(Hex.buffer(""))).isEqualTo(new UdpPayload.MissingContextId());
        assertThat(UdpPayload.decode(Hex.buffer(
                "40")))      // first byte of a two-byte context ID, then nothing
                .isEqualTo(new UdpPayload.MissingContextId());
    }

    @Test
    void udpPayloadLimitIs65527() {
        ByteBuffer max = ByteBuffer.allocate(1 + 65527); // context 0 + 65527 zero bytes
        assertThat(UdpPayload.decode(max)).isInstanceOf(UdpPayload.Udp.class);
        ByteBuffer over = ByteBuffer.allocate(1 + 65528);
        assertThat(UdpPayload.decode(over)).isEqualTo(new UdpPayload.TooLong(65528));
        assertThatThrownBy(() -> UdpPayload.encode(ByteBuffer.allocate(65528)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UdpPayload.datagramCapsulePrefix(65528))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodings() {
        assertThat(Hex.of(UdpPayload.encode(Hex.buffer("c0ffee")))).isEqualTo("00" + "c0ffee");
        assertThat(Hex.of(UdpPayload.datagramCapsulePrefix(3))).isEqualTo(
                "00"    // capsule type DATAGRAM
                + "04"  // capsule length 4 = context ID + 3
                + "00"); // context ID 0
        assertThat(Hex.of(UdpPayload.datagramCapsulePrefix(0))).isEqualTo("00" + "01" + "00");
        assertThat(Hex.of(UdpPayload.datagramCapsulePrefix(65527))).isEqualTo(
                "00"          // capsule type DATAGRAM
                + "8000fff8"  // capsule length 65528
                + "00");      // context ID 0
    }

    /** A CONNECT-UDP data stream through the CONNECT-UDP capsule parser and payload decoder. */
    @Test
    void capsuleStreamEndToEnd() {
        CapsuleParser p = UdpPayload.capsuleParser();
        ByteBuffer stream = Hex.buffer(
                "00", "04", "00", "616263",   // DATAGRAM, length 4, context 0, "abc"
                "00", "03", "02", "ffff",     // DATAGRAM, length 3, context 2 (unknown), payload
                "00", "01", "00",             // DATAGRAM, length 1, context 0, empty UDP payload
                "00", "00",                   // DATAGRAM, length 0: no context ID at all
                "00", "8001" + "0000", "00"); // DATAGRAM, length 65536 > 65535: too long
        assertThat(decode(p.next(stream))).isEqualTo("udp 616263");
        assertThat(decode(p.next(stream))).isEqualTo("unknown context 2");
        assertThat(decode(p.next(stream))).isEqualTo("udp ");
        assertThat(decode(p.next(stream))).isEqualTo("missing context ID");
        assertThat(p.next(stream)).isEqualTo(new CapsuleEvent.Failed(CapsuleError.TOO_LONG));
    }

    @Test
    void largestUsefulCapsuleIsAccepted() {
        CapsuleParser p = UdpPayload.capsuleParser();
        ByteBuffer stream = ByteBuffer.allocate(5 + 65535);
        CapsuleWriter.writeHeader(Capsule.DATAGRAM, 65535, stream);
        QuicVarInt.write(0, 8, stream); // context ID 0 on eight bytes
        stream.position(stream.capacity()).flip();
        CapsuleEvent e = p.next(stream);
        assertThat(decode(e)).startsWith("udp ").hasSize(4 + 2 * 65527);
    }

    private static String decode(CapsuleEvent e) {
        Capsule c = ((CapsuleEvent.Parsed) e).capsule();
        UdpPayload.Decoded d = UdpPayload.decode(c.value());
        if (d instanceof UdpPayload.Udp u) {
            return "udp " + Hex.of(u.payload());
        }
        if (d instanceof UdpPayload.UnknownContext u) {
            return "unknown context " + u.contextId();
        }
        if (d instanceof UdpPayload.MissingContextId) {
            return "missing context ID";
        }
        return d.toString();
    }
}
