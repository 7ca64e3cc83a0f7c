package net.doublehop.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A log-linear histogram of non-negative longs (HdrHistogram-like, 2 significant decimal digits): values below 128
 * each have their own bucket; above, every power of two is split into 64 equal buckets, so a bucket is never wider
 * than 1/64 (1.6 %) of its lower bound. Recording is lock-free and safe from any thread.
 */
public final class LogLinearHistogram {

    private static final int SUB = 128;
    private static final int HALF = 64;
    private static final int SIZE = SUB + 56 * HALF;

    private final AtomicLongArray counts = new AtomicLongArray(SIZE);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong max = new AtomicLong(Long.MIN_VALUE);

    static int index(long v) {
        if (v < SUB) {
            return (int) Math.max(v, 0);
        }
        int shift = 63 - Long.numberOfLeadingZeros(v) - 6;
        return SUB + (shift - 1) * HALF + (int) ((v >>> shift) - HALF);
    }

    /** The smallest value of bucket idx. */
    static long lowerBound(int idx) {
        if (idx < SUB) {
            return idx;
        }
        int k = idx - SUB;
        int shift = k / HALF + 1;
        return (long) (HALF + k % HALF) << shift;
    }

    /** One past the largest value of bucket idx. */
    static long upperBound(int idx) {
        return idx + 1 >= SIZE ? Long.MAX_VALUE : lowerBound(idx + 1);
    }

    public void record(long value) {
        long v = Math.max(value, 0);
        counts.incrementAndGet(index(v));
        total.incrementAndGet();
        sum.addAndGet(v);
        min.accumulateAndGet(v, Math::min);
        max.accumulateAndGet(v, Math::max);
    }

    /** Forgets everything recorded (for the end of a warm-up; records racing with it may be lost or kept). */
    public void reset() {
        for (int i = 0; i < SIZE; i++) {
            counts.set(i, 0);
        }
        total.set(0);
        sum.set(0);
        min.set(Long.MAX_VALUE);
        max.set(Long.MIN_VALUE);
    }

    public long count() {
        return total.get();
    }

    public long min() {
        return count() == 0 ? 0 : min.get();
    }

    public long max() {
        return count() == 0 ? 0 : max.get();
    }

    public double mean() {
        long n = count();
        return n == 0 ? 0 : (double) sum.get() / n;
    }

    /**
     * The value at percentile p (0..100): the largest value of the bucket holding the ceil(p% of n)-th smallest
     * value, clamped to the recorded min and max (so p100 is the exact max). 0 for an empty histogram.
     */
    public long percentile(double p) {
        long n = count();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < SIZE; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.max(min(), Math.min(max(), upperBound(i) - 1));
            }
        }
        return max();
    }

    /** Non-empty buckets as {from (inclusive), to (exclusive), count}. */
    public List<long[]> buckets() {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < SIZE; i++) {
            long c = counts.get(i);
            if (c > 0) {
                out.add(new long[] {lowerBound(i), upperBound(i), c});
            }
        }
        return out;
    }

    /** count, min, mean, max, p50, p90, p99, p99.9 and the buckets, for the JSON report. */
    public Map<String, Object> describe(String unit) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("unit", unit);
        m.put("count", count());
        m.put("min", min());
        m.put("mean", Math.round(mean() * 10) / 10.0);
        m.put("max", max());
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("p50", percentile(50));
        p.put("p90", percentile(90));
        p.put("p99", percentile(99));
        p.put("p99.9", percentile(99.9));
        p.put("max", max());
        m.put("percentiles", p);
        List<Object> b = new ArrayList<>();
        for (long[] x : buckets()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("from", x[0]);
            e.put("to", x[1]);
            e.put("count", x[2]);
            b.add(e);
        }
        m.put("buckets", b);
        return m;
    }
}
