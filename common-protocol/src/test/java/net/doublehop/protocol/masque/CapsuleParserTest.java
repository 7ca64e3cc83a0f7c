package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.doublehop.protocol.masque.CapsuleParser.OversizePolicy;
import org.junit.jupiter.api.Test;

/** RFC 9297 §3 capsule streams, fed whole, in pieces, truncated and hostile. */
class CapsuleParserTest {

    private static final long MAX = 1024;

    /** A stream of several capsules, one field per line; {@link #EXPECTED} is what it parses to. */
    private static final String[] STREAM = {
        // capsule 1: a DATAGRAM carrying a CONNECT-UDP payload
        "00",          // type DATAGRAM
        "05",          // length 5
        "00",          //   context ID 0 (value byte 1)
        "01020304",    //   UDP payload (value bytes 2-5)
        // capsule 2: a reserved greasing type (0x29 * 0 + 0x17), unknown, must be skipped
        "17",          // type 0x17
        "03",          // length 3
        "aabbcc",      //   value, skipped
        // capsule 3: a zero-length DATAGRAM
        "00",          // type DATAGRAM
        "00",          // length 0
        // capsule 4: DATAGRAM with non-minimal header varints
        "4000",        // type 0 on two bytes
        "80000002",    // length 2 on four bytes
        "0042",        //   value
        // capsule 5: unknown 8-byte type with a non-minimal 8-byte zero length
        "c000000000abcdef", // type 0xabcdef
        "c000000000000000", // length 0 on eight bytes
        // capsule 6: a DATAGRAM whose length needs two bytes (70 = 0x46)
        "00",          // type DATAGRAM
        "4046",        // length 70
        "00" + "ee".repeat(69), // value: context 0 + 69 bytes
    };

    private static final List<String> EXPECTED = List.of(
            "capsule 0 0001020304",
            "skipped 23 len 3",
            "capsule 0 ",
            "capsule 0 0042",
            "skipped 11259375 len 0",
            "capsule 0 00" + "ee".repeat(69));

    /** Byte offsets at which each capsule of {@link #STREAM} ends. */
    private static final int[] ENDS = {7, 12, 14, 22, 38, 111};

    private static CapsuleParser parser() {
        return new CapsuleParser(MAX, t -> t == Capsule.DATAGRAM, OversizePolicy.REJECT);
    }

    /** Calls {@code next} until the parser wants more bytes or has failed; describes the events. */
    private static List<String> drain(CapsuleParser p, ByteBuffer in) {
        List<String> out = new ArrayList<>();
        while (true) {
            CapsuleEvent e = p.next(in);
            if (e == CapsuleEvent.NEED_MORE) {
                return out;
            }
            out.add(describe(e));
            if (e instanceof CapsuleEvent.Failed) {
                return out;
            }
        }
    }

    private static String describe(CapsuleEvent e) {
        if (e instanceof CapsuleEvent.Parsed p) {
            return "capsule " + p.capsule().type() + " " + Hex.of(p.capsule().value());
        }
        if (e instanceof CapsuleEvent.Skipped s) {
            return "skipped " + s.type() + " len " + s.length();
        }
        if (e instanceof CapsuleEvent.Discarded d) {
            return "discarded " + d.type() + " len " + d.length();
        }
        if (e instanceof CapsuleEvent.Failed f) {
            return "failed " + f.error();
        }
        return e.toString();
    }

    @Test
    void vectorLayoutMatchesDeclaredEnds() {
        assertThat(Hex.bytes(STREAM)).hasSize(ENDS[ENDS.length - 1]);
    }

    @Test
    void singleDatagram() {
        CapsuleParser p = parser();
        ByteBuffer in = Hex.buffer(
                "00",       // type DATAGRAM
                "05",       // length 5
                "00",       // context ID 0
                "01020304"  // payload
        );
        CapsuleEvent e = p.next(in);
        assertThat(e).isInstanceOf(CapsuleEvent.Parsed.class);
        Capsule c = ((CapsuleEvent.Parsed) e).capsule();
        assertThat(c.isDatagram()).isTrue();
        assertThat(c.length()).isEqualTo(5);
        assertThat(Hex.of(c.value())).isEqualTo("0001020304");
        assertThat(c.value().isReadOnly()).isTrue();
        assertThat(in.hasRemaining()).isFalse();
        assertThat(p.next(in)).isSameAs(CapsuleEvent.NEED_MORE);
        assertThat(p.endOfStream()).isSameAs(CapsuleEvent.END);
    }

    @Test
    void severalCapsulesInOneBuffer() {
        CapsuleParser p = parser();
        ByteBuffer in = Hex.buffer(STREAM);
        assertThat(drain(p, in)).containsExactlyElementsOf(EXPECTED);
        assertThat(in.hasRemaining()).isFalse();
        assertThat(p.endOfStream()).isSameAs(CapsuleEvent.END);
    }

    @Test
    void oneByteAtATime() {
        CapsuleParser p = parser();
        List<String> events = new ArrayList<>();
        for (byte b : Hex.bytes(STREAM)) {
            ByteBuffer one = ByteBuffer.wrap(new byte[] {b});
            events.addAll(drain(p, one));
            assertThat(one.hasRemaining()).isFalse();
        }
        assertThat(events).containsExactlyElementsOf(EXPECTED);
        assertThat(p.endOfStream()).isSameAs(CapsuleEvent.END);
    }

    /**
     * Every prefix of the stream: the parser reports exactly the capsules that ended inside it, then
     * asks for more (never fails, never mis-parses); ending the stream there is clean only on a
     * capsule boundary. Feeding the rest afterwards completes the same sequence.
     */
    @Test
    void everyTruncationAsksForMore() {
        byte[] all = Hex.bytes(STREAM);
        for (int cut = 0; cut <= all.length; cut++) {
            int complete = 0;
            while (complete < ENDS.length && ENDS[complete] <= cut) {
                complete++;
            }
            boolean boundary = cut == 0 || (complete > 0 && ENDS[complete - 1] == cut);

            CapsuleParser p = parser();
            ByteBuffer head = ByteBuffer.wrap(Arrays.copyOf(all, cut));
            assertThat(drain(p, head)).as("prefix %d", cut).containsExactlyElementsOf(EXPECTED.subList(0, complete));
            assertThat(head.hasRemaining()).isFalse();
            assertThat(p.atCapsuleBoundary()).as("prefix %d", cut).isEqualTo(boundary);

            ByteBuffer tail = ByteBuffer.wrap(Arrays.copyOfRange(all, cut, all.length));
            assertThat(drain(p, tail)).as("rest after %d", cut)
                    .containsExactlyElementsOf(EXPECTED.subList(complete, EXPECTED.size()));
            assertThat(p.endOfStream()).isSameAs(CapsuleEvent.END);

            CapsuleParser ended = parser();
            drain(ended, ByteBuffer.wrap(Arrays.copyOf(all, cut)));
            CapsuleEvent end = ended.endOfStream();
            if (boundary) {
                assertThat(end).as("end at %d", cut).isSameAs(CapsuleEvent.END);
            } else {
                assertThat(end).as("end at %d", cut).isEqualTo(new CapsuleEvent.Failed(CapsuleError.TRUNCATED));
                assertThat(ended.next(ByteBuffer.wrap(all))).isEqualTo(end); // failure is sticky
            }
        }
    }

    @Test
    void maximumLengthIsInclusive() {
        CapsuleParser p = new CapsuleParser(4, t -> t == Capsule.DATAGRAM, OversizePolicy.REJECT);
        assertThat(drain(p, Hex.buffer(
                "00",       // type DATAGRAM
                "04",       // length 4 = max
                "00010203"  // value
        ))).containsExactly("capsule 0 00010203");
        ByteBuffer over = Hex.buffer(
                "00",         // type DATAGRAM
                "05",         // length 5 > max
                "0001020304"  // value, never read
        );
        assertThat(drain(p, over)).containsExactly("failed TOO_LONG");
        assertThat(over.position()).isEqualTo(2); // stopped right after the header
        assertThat(p.next(Hex.buffer("00", "00"))).isEqualTo(new CapsuleEvent.Failed(CapsuleError.TOO_LONG));
        assertThat(p.endOfStream()).isEqualTo(new CapsuleEvent.Failed(CapsuleError.TOO_LONG));
    }

    @Test
    void hugeDatagramLengthIsRejectedAtTheHeader() {
        CapsuleParser p = parser();
        ByteBuffer in = Hex.buffer(
                "00",               // type DATAGRAM
                "ffffffffffffffff", // length 2^62-1
                "00"                // first value byte
        );
        assertThat(drain(p, in)).containsExactly("failed TOO_LONG");
        assertThat(CapsuleError.TOO_LONG.http3StreamErrorCode()).isEqualTo(MasqueErrorCodes.H3_MESSAGE_ERROR);
        assertThat(CapsuleError.TOO_LONG.http2StreamErrorCode()).isEqualTo(MasqueErrorCodes.HTTP2_PROTOCOL_ERROR);
    }

    @Test
    void hugeDatagramIsDiscardedWithoutBufferingUnderDiscardPolicy() {
        CapsuleParser p = new CapsuleParser(MAX, t -> t == Capsule.DATAGRAM, OversizePolicy.DISCARD);
        assertThat(drain(p, Hex.buffer(
                "00",              // type DATAGRAM
                "ffffffffffffffff" // length 2^62-1
        ))).isEmpty();
        ByteBuffer junk = ByteBuffer.allocate(1 << 20);
        for (int i = 0; i < 64; i++) { // 64 MiB streamed through, nothing retained
            junk.clear();
            assertThat(p.next(junk)).isSameAs(CapsuleEvent.NEED_MORE);
            assertThat(junk.hasRemaining()).isFalse();
        }
        assertThat(p.endOfStream()).isEqualTo(new CapsuleEvent.Failed(CapsuleError.TRUNCATED));
    }

    @Test
    void oversizedDatagramDiscardedThenParsingGoesOn() {
        CapsuleParser p = new CapsuleParser(4, t -> t == Capsule.DATAGRAM, OversizePolicy.DISCARD);
        assertThat(drain(p, Hex.buffer(
                "00",         // type DATAGRAM
                "05",         // length 5 > max 4
                "0001020304", // value, skipped
                "00",         // type DATAGRAM
                "01",         // length 1
                "00"          // value: context 0, empty UDP payload
        ))).containsExactly("discarded 0 len 5", "capsule 0 00");
        assertThat(p.endOfStream()).isSameAs(CapsuleEvent.END);
    }

    @Test
    void hugeUnknownCapsuleIsSkippedNotRejected() {
        // RFC 9297 §3.2: unknown types MUST be skipped, whatever their length.
        CapsuleParser p = parser();
        assertThat(drain(p, Hex.buffer(
                "40",               // type 0x40 = 0x29 * 1 + 0x17, reserved (greasing)
                "40",               // ...on two bytes
                "ffffffffffffffff", // length 2^62-1
                "0102030405"        // first value bytes
        ))).isEmpty();
        assertThat(p.atCapsuleBoundary()).isFalse();
        assertThat(p.endOfStream()).isEqualTo(new CapsuleEvent.Failed(CapsuleError.TRUNCATED));
    }

    @Test
    void unknownTypesOfEveryVarintSizeAreSkipped() {
        CapsuleParser p = parser();
        assertThat(drain(p, Hex.buffer(
                "3f", "01", "aa",                                   // type 0x3f, 1-byte varint
                "7fff", "02", "aabb",                               // type 0x3fff, 2-byte varint
                "80010000", "00",                                   // type 0x10000, 4-byte varint
                "c000000100000000", "4001", "cc",                   // type 2^32, 8-byte; length 1 on two bytes
                "00", "01", "00"                                    // DATAGRAM, length 1, context 0
        ))).containsExactly("skipped 63 len 1", "skipped 16383 len 2", "skipped 65536 len 0",
                "skipped 4294967296 len 1", "capsule 0 00");
    }

    @Test
    void valueStraddlingChunksIsCopiedWholeValueIsAView() {
        CapsuleParser p = parser();
        byte[] first = Hex.bytes(
                "00",   // type DATAGRAM
                "03",   // length 3
                "0011"  // first two value bytes
        );
        assertThat(p.next(ByteBuffer.wrap(first))).isSameAs(CapsuleEvent.NEED_MORE);
        byte[] second = Hex.bytes("22"); // last value byte
        Capsule c = ((CapsuleEvent.Parsed) p.next(ByteBuffer.wrap(second))).capsule();
        Arrays.fill(first, (byte) 0x77);
        Arrays.fill(second, (byte) 0x77);
        assertThat(Hex.of(c.value())).isEqualTo("001122"); // a copy, unaffected by chunk reuse

        byte[] whole = Hex.bytes("00", "02", "0099");
        Capsule v = ((CapsuleEvent.Parsed) parser().next(ByteBuffer.wrap(whole))).capsule();
        whole[3] = 0x55;
        assertThat(Hex.of(v.value())).isEqualTo("0055"); // a view of the caller's chunk, no copy
    }

    @Test
    void headerStraddlingChunksAtEveryByte() {
        byte[] header = Hex.bytes(
                "c000000000000000", // type DATAGRAM on eight bytes
                "c000000000000001", // length 1 on eight bytes
                "00"                // value
        );
        for (int cut = 0; cut <= header.length; cut++) {
            CapsuleParser p = parser();
            assertThat(drain(p, ByteBuffer.wrap(Arrays.copyOf(header, cut)))).isEqualTo(
                    cut == header.length ? List.of("capsule 0 00") : List.of());
            assertThat(drain(p, ByteBuffer.wrap(Arrays.copyOfRange(header, cut, header.length))))
                    .isEqualTo(cut == header.length ? List.of() : List.of("capsule 0 00"));
        }
    }

    @Test
    void headerPeekReportsConsumedLength() {
        assertThat(CapsuleHeader.peek(Hex.buffer("4000", "80000002"))).contains(new CapsuleHeader(0, 2, 6));
        assertThat(CapsuleHeader.peek(Hex.buffer("4000", "80000002")).orElseThrow().isMinimal()).isFalse();
        assertThat(CapsuleHeader.peek(Hex.buffer("00", "05")).orElseThrow().isMinimal()).isTrue();
        assertThat(CapsuleHeader.peek(Hex.buffer("4000", "800000"))).isEmpty();
        assertThat(CapsuleHeader.peek(Hex.buffer(""))).isEmpty();
    }

    @Test
    void rejectsUnusableConfiguration() {
        assertThatThrownBy(() -> new CapsuleParser(-1, t -> true, OversizePolicy.REJECT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CapsuleParser(QuicVarInt.MAX_VALUE, t -> true, OversizePolicy.REJECT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void greaseTypes() {
        assertThat(Capsule.isReservedGreaseType(0x17)).isTrue();
        assertThat(Capsule.isReservedGreaseType(0x40)).isTrue();
        assertThat(Capsule.isReservedGreaseType(0x29L * 1_000_000 + 0x17)).isTrue();
        assertThat(Capsule.isReservedGreaseType(0x00)).isFalse();
        assertThat(Capsule.isReservedGreaseType(0x18)).isFalse();
    }

    /** Random garbage in random chunks: never an exception, only known types parsed, bounded buffering. */
    @Test
    void randomGarbageNeverThrows() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int round = 0; round < 200; round++) {
            CapsuleParser p = new CapsuleParser(64, t -> t == Capsule.DATAGRAM || t == 1, OversizePolicy.REJECT);
            byte[] garbage = new byte[rnd.nextInt(2000)];
            rnd.nextBytes(garbage);
            ByteBuffer stream = ByteBuffer.wrap(garbage);
            boolean failed = false;
            while (stream.hasRemaining() && !failed) {
                int n = Math.min(stream.remaining(), 1 + rnd.nextInt(40));
                ByteBuffer chunk = stream.slice(stream.position(), n);
                stream.position(stream.position() + n);
                for (CapsuleEvent e = p.next(chunk); e != CapsuleEvent.NEED_MORE; e = p.next(chunk)) {
                    if (e instanceof CapsuleEvent.Parsed parsed) {
                        assertThat(parsed.capsule().type()).isIn(0L, 1L);
                        assertThat(parsed.capsule().length()).isLessThanOrEqualTo(64);
                    } else if (e instanceof CapsuleEvent.Failed f) {
                        assertThat(f.error()).isEqualTo(CapsuleError.TOO_LONG);
                        failed = true;
                        break;
                    } else {
                        assertThat(e).isInstanceOf(CapsuleEvent.Skipped.class);
                    }
                }
            }
            assertThat(p.endOfStream()).isNotNull();
        }
    }

    /**
     * Fixed-seed random streams: random types (DATAGRAM, grease, other), lengths, minimal or forced
     * header lengths, cut into random chunks. Every capsule comes back in order.
     */
    @Test
    void randomizedRoundTrip() {
        SplittableRandom rnd = new SplittableRandom(9297);
        int[] lengths = {1, 2, 4, 8};
        for (int round = 0; round < 50; round++) {
            ByteBuffer stream = ByteBuffer.allocate(200 * (16 + 300));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long type = switch (rnd.nextInt(3)) {
                    case 0 -> Capsule.DATAGRAM;
                    case 1 -> 0x29L * rnd.nextInt(1000) + 0x17;
                    default -> rnd.nextLong(QuicVarInt.MAX_VALUE) + 1;
                };
                byte[] value = new byte[rnd.nextInt(300)];
                rnd.nextBytes(value);
                if (rnd.nextBoolean()) {
                    CapsuleWriter.write(new Capsule(type, ByteBuffer.wrap(value)), stream);
                } else {
                    QuicVarInt.write(type, Math.max(QuicVarInt.encodedLength(type), lengths[rnd.nextInt(4)]), stream);
                    QuicVarInt.write(value.length, Math.max(QuicVarInt.encodedLength(value.length),
                            lengths[rnd.nextInt(4)]), stream);
                    stream.put(value);
                }
                expected.add(type == Capsule.DATAGRAM
                        ? describe(new CapsuleEvent.Parsed(new Capsule(type, ByteBuffer.wrap(value))))
                        : "skipped " + type + " len " + value.length);
            }
            stream.flip();
            CapsuleParser p = parser();
            List<String> events = new ArrayList<>();
            while (stream.hasRemaining()) {
                int n = Math.min(stream.remaining(), 1 + rnd.nextInt(64));
                ByteBuffer chunk = stream.slice(stream.position(), n);
                stream.position(stream.position() + n);
                events.addAll(drain(p, chunk));
                assertThat(chunk.hasRemaining()).isFalse();
            }
            assertThat(events).containsExactlyElementsOf(expected);
            assertThat(p.endOfStream()).isSameAs(CapsuleEvent.END);
        }
    }
}
