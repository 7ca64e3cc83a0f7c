package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The Capsule Type and Capsule Length fields of a capsule (RFC 9297 §3.2) and how many bytes they
 * took, which can exceed the minimal encoding since non-minimal varints are allowed (RFC 9297 §1.1).
 *
 * <p>{@link #peek(ByteBuffer)} is the zero-copy entry point for a framework decoder: given at most
 * {@link #MAX_LENGTH} bytes at the head of its input (for Netty,
 * {@code in.nioBuffer(in.readerIndex(), Math.min(in.readableBytes(), MAX_LENGTH))}), it learns the
 * header length and value length, and can then skip the header and slice the value out of its own
 * buffer without this library ever touching the payload.
 */
public record CapsuleHeader(long type, long length, int headerLength) {

    /** Longest possible header: two 8-byte varints. */
    public static final int MAX_LENGTH = 2 * QuicVarInt.MAX_LENGTH;

    public CapsuleHeader {
        if (type < 0 || type > QuicVarInt.MAX_VALUE || length < 0 || length > QuicVarInt.MAX_VALUE) {
            throw new IllegalArgumentException("capsule header field out of varint range");
        }
        if (headerLength < 2 || headerLength > MAX_LENGTH) {
            throw new IllegalArgumentException("capsule header length out of range: " + headerLength);
        }
    }

    /**
     * Decodes the header at {@code buf}'s position without moving it. Empty means the buffer ends
     * inside the header: never an error, because any byte string is the start of some header.
     */
    public static Optional<CapsuleHeader> peek(ByteBuffer buf) {
        int pos = buf.position();
        long type = QuicVarInt.peek(buf, pos);
        if (type == QuicVarInt.NEED_MORE) {
            return Optional.empty();
        }
        int typeLength = QuicVarInt.lengthOf(buf.get(pos));
        long length = QuicVarInt.peek(buf, pos + typeLength);
        if (length == QuicVarInt.NEED_MORE) {
            return Optional.empty();
        }
        int lengthLength = QuicVarInt.lengthOf(buf.get(pos + typeLength));
        return Optional.of(new CapsuleHeader(type, length, typeLength + lengthLength));
    }

    /** Bytes of a header with minimal varints. */
    public static int encodedLength(long type, long length) {
        return QuicVarInt.encodedLength(type) + QuicVarInt.encodedLength(length);
    }

    /** True if both fields used their shortest encoding. */
    public boolean isMinimal() {
        return headerLength == encodedLength(type, length);
    }
}
