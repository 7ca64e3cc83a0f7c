package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;

/**
 * QUIC variable-length integers (RFC 9000 §16): the two most significant bits of the first byte give
 * the encoded length (00 = 1, 01 = 2, 10 = 4, 11 = 8 bytes), the remaining bits the value in network
 * byte order, so values range over 0 to 2^62-1.
 *
 * <p>Decoding accepts non-minimal encodings ({@code 0x4025} is 37 just as {@code 0x25} is): RFC 9000
 * §16 only asks senders for the shortest form where a field requires it, and RFC 9297 §1.1 states that
 * its integers "do not need to be encoded on the minimum number of bytes". Encoding always writes the
 * minimal form unless a length is forced.
 *
 * <p>The decoders return {@link #NEED_MORE} instead of throwing when the input ends inside a varint:
 * every byte string is a valid prefix of some varint, so "not enough bytes yet" is the only outcome
 * besides a value, and parsers of partial input hit it routinely.
 */
public final class QuicVarInt {

    /** Largest encodable value, 2^62-1. */
    public static final long MAX_VALUE = (1L << 62) - 1;

    /** Longest encoding, in bytes. */
    public static final int MAX_LENGTH = 8;

    /** Returned by the decoders when the input ends before the varint does; values are never negative. */
    public static final long NEED_MORE = -1L;

    private QuicVarInt() {
    }

    /** Encoded length announced by a varint's first byte: 1, 2, 4 or 8. */
    public static int lengthOf(byte firstByte) {
        return 1 << ((firstByte & 0xff) >>> 6);
    }

    /** Length of the minimal encoding of {@code value}. */
    public static int encodedLength(long value) {
        if (value < 0 || value > MAX_VALUE) {
            throw new IllegalArgumentException("varint out of range: " + value);
        }
        if (value <= 0x3f) {
            return 1;
        }
        if (value <= 0x3fff) {
            return 2;
        }
        if (value <= 0x3fff_ffffL) {
            return 4;
        }
        return 8;
    }

    /** True if {@code length} bytes is the shortest encoding of {@code value}. */
    public static boolean isMinimal(long value, int length) {
        return encodedLength(value) == length;
    }

    // ---- decoding -------------------------------------------------------------------------------

    /**
     * Decodes the varint starting at absolute {@code index} of {@code buf}, bounded by its limit,
     * without moving its position. Returns the value, or {@link #NEED_MORE} if the buffer ends first;
     * the consumed length is {@link #lengthOf(byte) lengthOf(buf.get(index))}.
     */
    public static long peek(ByteBuffer buf, int index) {
        if (index >= buf.limit()) {
            return NEED_MORE;
        }
        byte first = buf.get(index);
        int length = lengthOf(first);
        if (buf.limit() - index < length) {
            return NEED_MORE;
        }
        long value = first & 0x3f;
        for (int i = 1; i < length; i++) {
            value = (value << 8) | (buf.get(index + i) & 0xff);
        }
        return value;
    }

    /**
     * Decodes the varint at {@code buf}'s position and advances past it; on {@link #NEED_MORE} the
     * position is left unchanged, so the caller can retry once more bytes are appended.
     */
    public static long read(ByteBuffer buf) {
        int pos = buf.position();
        long value = peek(buf, pos);
        if (value != NEED_MORE) {
            buf.position(pos + lengthOf(buf.get(pos)));
        }
        return value;
    }

    /** Decodes the varint at {@code bytes[offset]}, not reading at or past {@code end}. */
    public static long peek(byte[] bytes, int offset, int end) {
        if (offset < 0 || end > bytes.length || offset > end) {
            throw new IndexOutOfBoundsException("offset " + offset + ", end " + end + ", size " + bytes.length);
        }
        if (offset == end) {
            return NEED_MORE;
        }
        int length = lengthOf(bytes[offset]);
        if (end - offset < length) {
            return NEED_MORE;
        }
        long value = bytes[offset] & 0x3f;
        for (int i = 1; i < length; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xff);
        }
        return value;
    }

    // ---- encoding -------------------------------------------------------------------------------

    /** The minimal encoding of {@code value}. */
    public static byte[] encode(long value) {
        byte[] out = new byte[encodedLength(value)];
        write(value, out.length, out, 0);
        return out;
    }

    /** Writes the minimal encoding of {@code value} at {@code dst}'s position; returns the length. */
    public static int write(long value, ByteBuffer dst) {
        int length = encodedLength(value);
        write(value, length, dst);
        return length;
    }

    /**
     * Writes {@code value} on exactly {@code length} bytes (1, 2, 4 or 8), which may be longer than
     * minimal: useful to reserve a fixed-size length field, and to build non-minimal test vectors.
     */
    public static void write(long value, int length, ByteBuffer dst) {
        checkForcedLength(value, length);
        if (dst.remaining() < length) {
            throw new java.nio.BufferOverflowException();
        }
        long prefixed = value | ((long) Integer.numberOfTrailingZeros(length) << (8 * length - 2));
        for (int shift = 8 * (length - 1); shift >= 0; shift -= 8) {
            dst.put((byte) (prefixed >>> shift));
        }
    }

    /** Array form of {@link #write(long, int, ByteBuffer)}; returns the offset after the varint. */
    public static int write(long value, int length, byte[] dst, int offset) {
        checkForcedLength(value, length);
        long prefixed = value | ((long) Integer.numberOfTrailingZeros(length) << (8 * length - 2));
        for (int i = 0; i < length; i++) {
            dst[offset + i] = (byte) (prefixed >>> (8 * (length - 1 - i)));
        }
        return offset + length;
    }

    private static void checkForcedLength(long value, int length) {
        if (length != 1 && length != 2 && length != 4 && length != 8) {
            throw new IllegalArgumentException("varint length must be 1, 2, 4 or 8: " + length);
        }
        if (encodedLength(value) > length) {
            throw new IllegalArgumentException("varint " + value + " does not fit in " + length + " bytes");
        }
    }
}
