package net.doublehop.protocol.ohttp;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A bounded strike register of the Encapsulated Requests a gateway has answered (RFC 9458 §6.5): each is
 * known by its HPKE {@code enc}, "a high-entropy value that is freshly generated for every request", so a
 * request seen again within {@code window} is a replay. {@code enc} is bound to the request (HPKE's KEM
 * context includes it), so a replay cannot alter it and still decrypt; register a request only after it
 * decrypted, so that nobody fills the register with bytes that prove nothing.
 *
 * <p>Entries live in {@value #BUCKETS} time buckets of {@code window / BUCKETS} each; a bucket is dropped whole
 * once its newest entry is older than {@code window}, so every entry is remembered for at least
 * {@code window} and at most {@code window + window / BUCKETS}. At most {@code maxEntries} are held: when the
 * register is full of entries still inside their window, new requests are refused ({@link Outcome#FULL})
 * rather than older entries forgotten early, which would let their replays through. Thread-safe.
 */
public final class ReplayRegister {

    /** What {@link #register} found. */
    public enum Outcome {
        /** Not seen within the window: now registered; answer the request. */
        FRESH,
        /** Seen within the window: refuse it. */
        REPLAYED,
        /** Not seen, but the register holds {@code maxEntries} live entries: refuse it (fail closed). */
        FULL
    }

    static final int BUCKETS = 8;

    private final long windowNanos;
    private final long bucketNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;
    private final ArrayDeque<Bucket> buckets = new ArrayDeque<>(); // oldest first
    private int size;

    private static final class Bucket {
        final long start;
        final Set<Key> keys = new HashSet<>();

        Bucket(long start) {
            this.start = start;
        }
    }

    /** The 32 bytes of an X25519 {@code enc} as four longs: a compact key (other lengths keep all bytes). */
    private record Key(long a, long b, long c, long d, ByteBuffer other) {
        static Key of(byte[] enc) {
            if (enc.length != 32) {
                return new Key(0, 0, 0, 0, ByteBuffer.wrap(enc.clone()));
            }
            ByteBuffer b = ByteBuffer.wrap(enc);
            return new Key(b.getLong(), b.getLong(), b.getLong(), b.getLong(), null);
        }
    }

    public ReplayRegister(Duration window, int maxEntries) {
        this(window, maxEntries, System::nanoTime);
    }

    /** With a given monotonic clock in nanoseconds (tests). */
    public ReplayRegister(Duration window, int maxEntries, LongSupplier nanoTime) {
        if (window.isNegative() || window.isZero() || maxEntries < 1) {
            throw new IllegalArgumentException("a replay register needs a positive window and size");
        }
        this.windowNanos = window.toNanos();
        this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    /** Looks {@code enc} up and, when it is new and there is room, remembers it. */
    public synchronized Outcome register(byte[] enc) {
        long now = nanoTime.getAsLong();
        expire(now);
        Key key = Key.of(enc);
        for (Bucket b : buckets) {
            if (b.keys.contains(key)) {
                return Outcome.REPLAYED;
            }
        }
        if (size >= maxEntries) {
            return Outcome.FULL;
        }
        Bucket newest = buckets.peekLast();
        if (newest == null || now - newest.start >= bucketNanos) {
            newest = new Bucket(now);
            buckets.addLast(newest);
        }
        newest.keys.add(key);
        size++;
        return Outcome.FRESH;
    }

    /** Entries held now (after dropping the expired ones). */
    public synchronized int size() {
        expire(nanoTime.getAsLong());
        return size;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public Duration window() {
        return Duration.ofNanos(windowNanos);
    }

    /** Drops every bucket whose newest possible entry (start + bucket length) is older than the window. */
    private void expire(long now) {
        Bucket oldest;
        while ((oldest = buckets.peekFirst()) != null && now - (oldest.start + bucketNanos) >= windowNanos) {
            buckets.removeFirst();
            size -= oldest.keys.size();
        }
    }
}
