package net.doublehop.protocol.masque;

/**
 * What {@link CapsuleParser} produced from the input so far. A sealed set so the caller's handling
 * is exhaustive: a capsule, a dropped capsule to count, a request for more bytes, a clean end, or a
 * stream error.
 */
public sealed interface CapsuleEvent {

    /** The input is used up inside a capsule (or between capsules): feed more bytes. */
    CapsuleEvent NEED_MORE = Signal.NEED_MORE;

    /** {@link CapsuleParser#endOfStream()} found the stream ended on a capsule boundary. */
    CapsuleEvent END = Signal.END;

    /** The two payload-free outcomes. */
    enum Signal implements CapsuleEvent {
        NEED_MORE, END
    }

    /** A complete capsule of a type the parser was told it understands. */
    record Parsed(Capsule capsule) implements CapsuleEvent {
    }

    /**
     * A capsule of an unknown type, dropped without buffering as RFC 9297 §3.2 requires; reported
     * once its last byte is skipped, so the caller can count them.
     */
    record Skipped(long type, long length) implements CapsuleEvent {
    }

    /**
     * A capsule of a known type longer than the maximum, dropped without buffering under
     * {@link CapsuleParser.OversizePolicy#DISCARD} (RFC 9297 §3.5); reported once fully skipped.
     */
    record Discarded(long type, long length) implements CapsuleEvent {
    }

    /** The stream is malformed; the parser stays failed and returns this again on every call. */
    record Failed(CapsuleError error) implements CapsuleEvent {
    }
}
