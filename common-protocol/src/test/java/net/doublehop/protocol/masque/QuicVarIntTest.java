package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9000 §16 varints: the Appendix A.1 examples, boundaries, non-minimal forms, truncation. */
class QuicVarIntTest {

    /** RFC 9000 Appendix A.1 sample decodings, plus the non-minimal two-byte 37 it also lists. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "c2197c5eff14e88c, 151288809941952652, 8", // 11 prefix: 8 bytes
        "9d7f3e7d,         494878333,          4", // 10 prefix: 4 bytes
        "7bbd,             15293,              2", // 01 prefix: 2 bytes
        "25,               37,                 1", // 00 prefix: 1 byte
        "4025,             37,                 2", // non-minimal: 37 on two bytes
    })
    void rfc9000AppendixA1(String hex, long value, int length) {
        ByteBuffer buf = Hex.buffer(hex);
        assertThat(QuicVarInt.lengthOf(buf.get(0))).isEqualTo(length);
        assertThat(QuicVarInt.peek(buf, 0)).isEqualTo(value);
        assertThat(QuicVarInt.peek(Hex.bytes(hex), 0, length)).isEqualTo(value);
        assertThat(QuicVarInt.read(buf)).isEqualTo(value);
        assertThat(buf.position()).isEqualTo(length);
        assertThat(QuicVarInt.isMinimal(value, length)).isEqualTo(!hex.equals("4025"));
    }

    @ParameterizedTest(name = "{0} encodes as {1}")
    @CsvSource({
        "151288809941952652, c2197c5eff14e88c",
        "494878333,          9d7f3e7d",
        "15293,              7bbd",
        "37,                 25",
    })
    void encodesMinimally(long value, String hex) {
        assertThat(Hex.of(QuicVarInt.encode(value))).isEqualTo(hex);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0,                   00",
        "63,                  3f",               // largest 1-byte value
        "64,                  4040",             // smallest 2-byte value
        "16383,               7fff",             // largest 2-byte value
        "16384,               80004000",         // smallest 4-byte value
        "1073741823,          bfffffff",         // largest 4-byte value, 2^30-1
        "1073741824,          c000000040000000", // smallest 8-byte value, 2^30
        "4611686018427387903, ffffffffffffffff", // 2^62-1
    })
    void boundaries(long value, String hex) {
        assertThat(Hex.of(QuicVarInt.encode(value))).isEqualTo(hex);
        assertThat(QuicVarInt.encodedLength(value)).isEqualTo(hex.length() / 2);
        assertThat(QuicVarInt.peek(Hex.buffer(hex), 0)).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "4000",             // 0 on 2 bytes
        "80000000",         // 0 on 4 bytes
        "c000000000000000", // 0 on 8 bytes
    })
    void nonMinimalZeroIsZero(String hex) {
        assertThat(QuicVarInt.peek(Hex.buffer(hex), 0)).isZero();
    }

    @Test
    void forcedLengthWritesNonMinimalForms() {
        ByteBuffer buf = ByteBuffer.allocate(14);
        QuicVarInt.write(37, 2, buf);
        QuicVarInt.write(37, 4, buf);
        QuicVarInt.write(37, 8, buf);
        assertThat(Hex.of(buf.array())).isEqualTo("4025" + "80000025" + "c000000000000025");
        byte[] arr = new byte[2];
        assertThat(QuicVarInt.write(15293, 2, arr, 0)).isEqualTo(2);
        assertThat(Hex.of(arr)).isEqualTo("7bbd");
    }

    @Test
    void rejectsUnencodableValues() {
        assertThatThrownBy(() -> QuicVarInt.encode(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuicVarInt.encode(QuicVarInt.MAX_VALUE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuicVarInt.write(64, 1, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuicVarInt.write(1, 3, ByteBuffer.allocate(8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QuicVarInt.write(QuicVarInt.MAX_VALUE, ByteBuffer.allocate(7)))
                .isInstanceOf(java.nio.BufferOverflowException.class);
    }

    /** Every strict prefix of a varint asks for more, and never moves the position. */
    @ParameterizedTest
    @ValueSource(strings = {"c2197c5eff14e88c", "9d7f3e7d", "7bbd", "4025", "25"})
    void everyTruncationNeedsMore(String hex) {
        byte[] full = Hex.bytes(hex);
        for (int cut = 0; cut < full.length; cut++) {
            ByteBuffer prefix = ByteBuffer.wrap(Arrays.copyOf(full, cut));
            assertThat(QuicVarInt.read(prefix)).as("prefix of %d bytes", cut).isEqualTo(QuicVarInt.NEED_MORE);
            assertThat(prefix.position()).isZero();
            assertThat(QuicVarInt.peek(full, 0, cut)).isEqualTo(QuicVarInt.NEED_MORE);
        }
    }

    @Test
    void peekHonoursLimitAndIndex() {
        ByteBuffer buf = Hex.buffer("ff", "7bbd", "00"); // junk, varint 15293, trailing byte
        assertThat(QuicVarInt.peek(buf, 1)).isEqualTo(15293);
        buf.limit(2);
        assertThat(QuicVarInt.peek(buf, 1)).isEqualTo(QuicVarInt.NEED_MORE);
        assertThat(QuicVarInt.peek(buf, 5)).isEqualTo(QuicVarInt.NEED_MORE);
        assertThat(buf.position()).isZero();
    }

    /** Random values of every size, minimal and forced lengths, read back from one stream. */
    @Test
    void randomizedRoundTrip() {
        SplittableRandom rnd = new SplittableRandom(9000);
        int[] lengths = {1, 2, 4, 8};
        ByteBuffer stream = ByteBuffer.allocate(20_000 * 8);
        long[] values = new long[20_000];
        for (int i = 0; i < values.length; i++) {
            int bits = rnd.nextInt(63); // 0..62 significant bits, so all sizes occur
            long v = bits == 0 ? 0 : rnd.nextLong() >>> (64 - bits);
            values[i] = v;
            int min = QuicVarInt.encodedLength(v);
            if (rnd.nextBoolean()) {
                int forced = lengths[rnd.nextInt(4)];
                QuicVarInt.write(v, Math.max(min, forced), stream);
            } else {
                assertThat(QuicVarInt.write(v, stream)).isEqualTo(min);
            }
        }
        stream.flip();
        for (long v : values) {
            assertThat(QuicVarInt.read(stream)).isEqualTo(v);
        }
        assertThat(stream.hasRemaining()).isFalse();
        assertThat(QuicVarInt.read(stream)).isEqualTo(QuicVarInt.NEED_MORE);
    }
}
