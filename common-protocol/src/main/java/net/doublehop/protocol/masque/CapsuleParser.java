package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.LongPredicate;

/**
 * Incremental parser of a Capsule Protocol data stream (RFC 9297 §3.2). One instance per stream
 * direction; not thread-safe.
 *
 * <p>Feed each chunk of the stream to {@link #next(ByteBuffer)} and call it again until it returns
 * {@link CapsuleEvent#NEED_MORE}; each call consumes bytes from the chunk's position and returns at
 * most one event, so a chunk holding several capsules yields several events. When the stream's
 * receive side ends cleanly, call {@link #endOfStream()}: a capsule cut short there is an error
 * (RFC 9297 §3.3).
 *
 * <p>Memory stays bounded under hostile input: capsules of unknown types are skipped by counting
 * bytes, never buffered, whatever their length (up to 2^62-1); a known capsule is buffered only if it
 * straddles chunks, and only up to {@code maxCapsuleLength}. A known capsule that lies whole inside
 * a chunk is returned as a view of that chunk, with no copy: the view is valid only until the caller
 * reuses the chunk's storage.
 */
public final class CapsuleParser {

    /** What to do with a capsule of a known type whose length exceeds the maximum. */
    public enum OversizePolicy {
        /**
         * Fail the stream with {@link CapsuleError#TOO_LONG}. Right for CONNECT-UDP with a maximum of
         * 65535 (8-byte context ID + 65527-byte UDP payload): a longer DATAGRAM capsule can only
         * carry a context-0 payload over 65527 bytes, which MUST abort the stream (RFC 9298 §5), or
         * a non-zero context this endpoint never registered.
         */
        REJECT,
        /**
         * Skip it without buffering and report {@link CapsuleEvent.Discarded}, as RFC 9297 §3.5
         * recommends for DATAGRAM capsules "known to be so large as to not be usable".
         */
        DISCARD
    }

    private enum State { HEADER, VALUE, SKIP, FAILED }

    private final long maxCapsuleLength;
    private final LongPredicate knownType;
    private final OversizePolicy oversizePolicy;

    private State state = State.HEADER;
    /** Header bytes gathered across chunks; only used when a header straddles chunks. */
    private final byte[] header = new byte[CapsuleHeader.MAX_LENGTH];
    private int headerFill;
    /** The capsule being buffered (VALUE) or skipped (SKIP). */
    private long type;
    private long length;
    private boolean skippingOversized;
    private byte[] value;
    private int valueFill;
    private long skipRemaining;
    private CapsuleEvent.Failed failure;

    /**
     * @param maxCapsuleLength longest value of a known-type capsule this endpoint will buffer
     * @param knownType        the capsule types the caller handles; all others are skipped
     * @param oversizePolicy   what a known capsule longer than the maximum leads to
     */
    public CapsuleParser(long maxCapsuleLength, LongPredicate knownType, OversizePolicy oversizePolicy) {
        // Buffered values are byte arrays, so the maximum must fit one.
        if (maxCapsuleLength < 0 || maxCapsuleLength > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxCapsuleLength out of range: " + maxCapsuleLength);
        }
        this.maxCapsuleLength = maxCapsuleLength;
        this.knownType = Objects.requireNonNull(knownType);
        this.oversizePolicy = Objects.requireNonNull(oversizePolicy);
    }

    public long maxCapsuleLength() {
        return maxCapsuleLength;
    }

    /** True while no capsule is partly read: the stream could end here without error. */
    public boolean atCapsuleBoundary() {
        return state == State.HEADER && headerFill == 0;
    }

    /**
     * Consumes bytes from {@code in} (from its position; the position is advanced past what was
     * used) and returns the next event. Never throws on any input.
     */
    public CapsuleEvent next(ByteBuffer in) {
        while (true) {
            switch (state) {
                case FAILED:
                    return failure;
                case HEADER: {
                    CapsuleHeader h = readHeader(in);
                    if (h == null) {
                        return CapsuleEvent.NEED_MORE;
                    }
                    CapsuleEvent e = startCapsule(h, in);
                    if (e != null) {
                        return e;
                    }
                    break; // now in VALUE or SKIP
                }
                case VALUE: {
                    int n = Math.min(value.length - valueFill, in.remaining());
                    in.get(value, valueFill, n);
                    valueFill += n;
                    if (valueFill < value.length) {
                        return CapsuleEvent.NEED_MORE;
                    }
                    byte[] done = value;
                    value = null;
                    state = State.HEADER;
                    return new CapsuleEvent.Parsed(new Capsule(type, ByteBuffer.wrap(done)));
                }
                case SKIP: {
                    int n = (int) Math.min(skipRemaining, in.remaining());
                    in.position(in.position() + n);
                    skipRemaining -= n;
                    if (skipRemaining > 0) {
                        return CapsuleEvent.NEED_MORE;
                    }
                    state = State.HEADER;
                    return skippingOversized
                            ? new CapsuleEvent.Discarded(type, length)
                            : new CapsuleEvent.Skipped(type, length);
                }
                default:
                    throw new IllegalStateException(state.name());
            }
        }
    }

    /**
     * Signals that the stream's receive side ended cleanly. Returns {@link CapsuleEvent#END} if it
     * ended between capsules, else fails with {@link CapsuleError#TRUNCATED} (RFC 9297 §3.3).
     */
    public CapsuleEvent endOfStream() {
        if (state == State.FAILED) {
            return failure;
        }
        if (atCapsuleBoundary()) {
            return CapsuleEvent.END;
        }
        return fail(CapsuleError.TRUNCATED);
    }

    /** Reads a header, directly from {@code in} when it holds it whole, else via the side buffer. */
    private CapsuleHeader readHeader(ByteBuffer in) {
        if (headerFill == 0) {
            var direct = CapsuleHeader.peek(in);
            if (direct.isPresent()) {
                in.position(in.position() + direct.get().headerLength());
                return direct.get();
            }
        }
        // Copy only up to the end of the header, never into the value.
        while (in.hasRemaining()) {
            header[headerFill++] = in.get();
            int typeLength = QuicVarInt.lengthOf(header[0]);
            if (headerFill > typeLength) {
                int total = typeLength + QuicVarInt.lengthOf(header[typeLength]);
                if (headerFill == total) {
                    headerFill = 0;
                    return CapsuleHeader.peek(ByteBuffer.wrap(header, 0, total)).orElseThrow();
                }
            }
        }
        return null;
    }

    /** Chooses how to consume the value; returns an event if the capsule is already finished. */
    private CapsuleEvent startCapsule(CapsuleHeader h, ByteBuffer in) {
        type = h.type();
        length = h.length();
        if (!knownType.test(type)) {
            // RFC 9297 §3.2: unknown types MUST be silently dropped and skipped, so no length limit.
            return skip(false);
        }
        if (length > maxCapsuleLength) {
            if (oversizePolicy == OversizePolicy.REJECT) {
                return fail(CapsuleError.TOO_LONG);
            }
            return skip(true);
        }
        int len = (int) length;
        if (in.remaining() >= len) {
            // Whole capsule in this chunk: hand out a view, no copy.
            ByteBuffer view = in.slice(in.position(), len);
            in.position(in.position() + len);
            return new CapsuleEvent.Parsed(new Capsule(type, view));
        }
        value = new byte[len];
        valueFill = 0;
        state = State.VALUE;
        return null;
    }

    private CapsuleEvent skip(boolean oversized) {
        skippingOversized = oversized;
        skipRemaining = length;
        state = State.SKIP;
        return null;
    }

    private CapsuleEvent fail(CapsuleError error) {
        state = State.FAILED;
        value = null;
        failure = new CapsuleEvent.Failed(error);
        return failure;
    }
}
