package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/**
 * Per-user bounds, both answered with 429 (RFC 6585 §4): concurrent tunnels, and the rate of new tunnels
 * (a token bucket of {@code ratePerSecond} with a burst of twice that).
 */
public final class UserLimiter implements UserLimits {

    static final ProxyFailure TOO_MANY_OPEN = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 429,
            "user is at its tunnel limit");
    static final ProxyFailure TOO_FAST = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 429,
            "user is opening tunnels too fast");

    private final int maxOpen;
    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private record Bucket(double tokens, long atNanos) { }

    public UserLimiter(int maxOpen, int ratePerSecond, LongSupplier nanoClock) {
        this.maxOpen = maxOpen;
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = 2.0 * ratePerSecond;
        this.nanoClock = nanoClock;
    }

    /** Takes a slot or throws 429; every successful call must be matched by one {@link #release}. */
    public void acquire(String user) {
        long now = nanoClock.getAsLong();
        boolean[] allowed = new boolean[1];
        buckets.compute(user, (u, b) -> {
            double tokens = b == null ? burst : Math.min(burst, b.tokens() + (now - b.atNanos()) * ratePerNano);
            allowed[0] = tokens >= 1;
            return new Bucket(allowed[0] ? tokens - 1 : tokens, now);
        });
        if (!allowed[0]) {
            throw TOO_FAST;
        }
        int[] result = new int[1];
        open.compute(user, (u, n) -> {
            int next = (n == null ? 0 : n) + 1;
            result[0] = next;
            return next > maxOpen ? n : Integer.valueOf(next);
        });
        if (result[0] > maxOpen) {
            throw TOO_MANY_OPEN;
        }
    }

    @Override
    public Future<Void> admit(String user) {
        try {
            acquire(user);
            return Future.succeededFuture();
        } catch (ProxyFailure refused) {
            return Future.failedFuture(refused);
        }
    }

    @Override
    public void release(String user) {
        open.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }
}
