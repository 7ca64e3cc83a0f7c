package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;

/**
 * The Quarter Stream ID that starts an HTTP/3 Datagram (RFC 9297 §2.1): the ID of the
 * client-initiated bidirectional request stream, divided by four, as a varint. Stream IDs go up to
 * 2^62-1, so a Quarter Stream ID above 2^60-1 names no stream.
 */
public final class QuarterStreamId {

    /** Largest legal Quarter Stream ID, 2^60-1. */
    public static final long MAX_VALUE = (1L << 60) - 1;

    private QuarterStreamId() {
    }

    /** Why the start of a QUIC DATAGRAM frame is not an HTTP/3 Datagram. */
    public enum Error {
        /** Too short to hold the Quarter Stream ID. */
        TRUNCATED,
        /** Quarter Stream ID above 2^60-1. */
        TOO_LARGE;

        /** Both are HTTP/3 connection errors of type H3_DATAGRAM_ERROR (RFC 9297 §2.1). */
        public long connectionErrorCode() {
            return MasqueErrorCodes.H3_DATAGRAM_ERROR;
        }
    }

    /** Result of {@link #decode(ByteBuffer)}. */
    public sealed interface Decoded {
    }

    /** A datagram for request stream {@code streamId}; {@code payload} is a view of the input. */
    public record Datagram(long streamId, ByteBuffer payload) implements Decoded {
        public Datagram {
            payload = payload.asReadOnlyBuffer();
        }

        @Override
        public ByteBuffer payload() {
            return payload.duplicate();
        }

        public long quarterStreamId() {
            return streamId >>> 2;
        }
    }

    /** Not an HTTP/3 Datagram: close the connection with {@link Error#connectionErrorCode()}. */
    public record Invalid(Error error) implements Decoded {
    }

    /** Client-initiated bidirectional streams have the two low bits 00 (RFC 9000 §2.1). */
    public static boolean isClientBidirectional(long streamId) {
        return streamId >= 0 && streamId <= QuicVarInt.MAX_VALUE && (streamId & 0x3) == 0;
    }

    /** The Quarter Stream ID of a request stream; rejects IDs of any other stream kind. */
    public static long of(long streamId) {
        if (!isClientBidirectional(streamId)) {
            throw new IllegalArgumentException("not a client-initiated bidirectional stream: " + streamId);
        }
        return streamId >>> 2;
    }

    /** The request stream a Quarter Stream ID names. */
    public static long toStreamId(long quarterStreamId) {
        if (quarterStreamId < 0 || quarterStreamId > MAX_VALUE) {
            throw new IllegalArgumentException("quarter stream ID out of range: " + quarterStreamId);
        }
        return quarterStreamId << 2;
    }

    /** The HTTP/3 Datagram prefix for request stream {@code streamId}. */
    public static byte[] encode(long streamId) {
        return QuicVarInt.encode(of(streamId));
    }

    /** Writes the prefix at {@code dst}'s position; returns its length. */
    public static int write(long streamId, ByteBuffer dst) {
        return QuicVarInt.write(of(streamId), dst);
    }

    /**
     * Splits the Datagram Data of a QUIC DATAGRAM frame into stream ID and HTTP Datagram Payload;
     * consumes nothing from {@code frameData}. The frame is complete, so running out of bytes is
     * an error here, not a request for more.
     */
    public static Decoded decode(ByteBuffer frameData) {
        ByteBuffer in = frameData.duplicate();
        long quarter = QuicVarInt.read(in);
        if (quarter == QuicVarInt.NEED_MORE) {
            return new Invalid(Error.TRUNCATED);
        }
        if (quarter > MAX_VALUE) {
            return new Invalid(Error.TOO_LARGE);
        }
        return new Datagram(quarter << 2, in.slice());
    }

    /**
     * True if the stream cannot exist under the limit on client-initiated bidirectional streams the
     * endpoint granted (the cumulative MAX_STREAMS value, RFC 9000 §4.6): stream {@code 4n} is the
     * (n+1)-th such stream. RFC 9297 §2.1 says this SHOULD be a connection error of type
     * H3_ID_ERROR.
     */
    public static boolean exceedsStreamLimit(long streamId, long maxBidiStreams) {
        return of(streamId) >= maxBidiStreams;
    }
}
