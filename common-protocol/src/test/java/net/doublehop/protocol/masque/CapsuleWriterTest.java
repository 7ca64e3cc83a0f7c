package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.doublehop.protocol.masque.CapsuleParser.OversizePolicy;
import org.junit.jupiter.api.Test;

/** Capsule encoding: minimal varints, header-only writes, and parse(write(c)) == c. */
class CapsuleWriterTest {

    @Test
    void datagramCapsule() {
        assertThat(Hex.of(CapsuleWriter.datagram(Hex.buffer("00", "01020304")))).isEqualTo(String.join("",
                "00",         // type DATAGRAM
                "05",         // length 5
                "00",         // context ID 0
                "01020304")); // UDP payload
    }

    @Test
    void zeroLengthCapsule() {
        assertThat(Hex.of(CapsuleWriter.encode(new Capsule(0x17, ByteBuffer.allocate(0))))).isEqualTo(
                "17"    // type 0x17 (reserved)
                + "00"); // length 0
    }

    @Test
    void headerUsesMinimalVarints() {
        assertThat(Hex.of(CapsuleWriter.header(0x00, 70))).isEqualTo("00" + "4046");
        assertThat(Hex.of(CapsuleWriter.header(0x40, 16384))).isEqualTo("4040" + "80004000");
        assertThat(Hex.of(CapsuleWriter.header(QuicVarInt.MAX_VALUE, QuicVarInt.MAX_VALUE)))
                .isEqualTo("ffffffffffffffff" + "ffffffffffffffff");
        ByteBuffer dst = ByteBuffer.allocate(16);
        assertThat(CapsuleWriter.writeHeader(0x00, 65535, dst)).isEqualTo(5);
        assertThat(Hex.of(dst.flip())).isEqualTo("00" + "8000ffff");
    }

    @Test
    void writeThenParse() {
        Capsule c = new Capsule(Capsule.DATAGRAM, Hex.buffer("00", "cafe"));
        ByteBuffer dst = ByteBuffer.allocate(c.encodedLength());
        assertThat(CapsuleWriter.write(c, dst)).isEqualTo(5);
        dst.flip();
        CapsuleParser p = new CapsuleParser(100, t -> t == Capsule.DATAGRAM, OversizePolicy.REJECT);
        assertThat(p.next(dst)).isEqualTo(new CapsuleEvent.Parsed(c));
    }
}
