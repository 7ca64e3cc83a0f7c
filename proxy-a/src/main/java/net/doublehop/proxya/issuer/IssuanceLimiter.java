package net.doublehop.proxya.issuer;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Tokens per user per hour: a token bucket per user holding up to an hour's worth, refilled evenly over
 * the hour, so a user can fetch a batch at once and then one more every {@code 3600 / perHour} seconds.
 * A refused request learns how long to wait ({@code Retry-After}). Full buckets are forgotten by
 * {@link #sweep()}, so the map holds only users who fetched recently.
 */
final class IssuanceLimiter implements IssuanceLimits {

    private static final double NANOS_PER_HOUR = 3600e9;

    private final double capacity;
    private final double perNano;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private record Bucket(double tokens, long atNanos) { }

    IssuanceLimiter(int perHour, LongSupplier nanoClock) {
        if (perHour < 1) {
            throw new IllegalArgumentException("perHour must be at least 1");
        }
        this.capacity = perHour;
        this.perNano = perHour / NANOS_PER_HOUR;
        this.nanoClock = nanoClock;
    }

    /** Takes one issuance for {@code user}: 0 when allowed, else the whole seconds until one will be (at least 1). */
    long tryAcquire(String user) {
        long now = nanoClock.getAsLong();
        double[] missing = new double[1];
        buckets.compute(user, (u, b) -> {
            double tokens = level(b, now);
            if (tokens >= 1) {
                missing[0] = 0;
                return new Bucket(tokens - 1, now);
            }
            missing[0] = 1 - tokens;
            return new Bucket(tokens, now);
        });
        return missing[0] == 0 ? 0 : Math.max(1, (long) Math.ceil(missing[0] / perNano / 1e9));
    }

    @Override
    public Future<Long> take(String user) {
        return Future.succeededFuture(tryAcquire(user));
    }

    /** Forgets users whose bucket has refilled: they are indistinguishable from users never seen. */
    @Override
    public void sweep() {
        long now = nanoClock.getAsLong();
        buckets.entrySet().removeIf(e -> level(e.getValue(), now) >= capacity);
    }

    int trackedUsers() {
        return buckets.size();
    }

    private double level(Bucket b, long now) {
        return b == null ? capacity : Math.min(capacity, b.tokens() + (now - b.atNanos()) * perNano);
    }
}
