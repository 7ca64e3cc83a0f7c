package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import net.doublehop.runtime.store.RedisStore;
import net.doublehop.runtime.store.RedisTokenBuckets;
import net.doublehop.runtime.store.RedisTunnelCounts;
import net.doublehop.runtime.store.StoreWarnings;

/**
 * {@code limits.max-tunnels-per-user} and {@code limits.tunnels-per-second-per-user} over every Proxy A instance
 * sharing {@code store.redis}: a user behind a load balancer gets the same bounds as on one instance. The rate is
 * a token bucket per user in Redis; the concurrent count is the sum of each instance's count
 * ({@link RedisTunnelCounts}).
 *
 * <p>When Redis does not answer, this instance's own bounds decide (they then hold per instance): limits protect
 * capacity and are not what keeps a credential single-use, so an outage of the store should not refuse every
 * user. Each fallback is logged as a warning.
 */
public final class SharedUserLimiter implements UserLimits, AutoCloseable {

    private static final StoreWarnings RATE_FAILED = new StoreWarnings(
            "tunnel rate check failed; this instance's own limit applies", 10_000);
    private static final StoreWarnings COUNT_FAILED = new StoreWarnings(
            "tunnel count check failed; this instance's own limit applies", 10_000);

    private final RedisTokenBuckets rate;
    private final RedisTunnelCounts open;
    /** The rate fallback: no concurrency bound of its own (the count's fallback is {@link RedisTunnelCounts}'). */
    private final UserLimiter localRate;
    private final int maxOpen;
    private final int ratePerSecond;

    public SharedUserLimiter(RedisStore store, int maxOpen, int ratePerSecond) {
        this.rate = new RedisTokenBuckets(store, "tunnel-rate");
        this.open = new RedisTunnelCounts(store, "tunnels");
        this.localRate = new UserLimiter(Integer.MAX_VALUE, ratePerSecond, System::nanoTime);
        this.maxOpen = maxOpen;
        this.ratePerSecond = ratePerSecond;
    }

    @Override
    public Future<Void> admit(String user) {
        // The same bucket as the local limiter: the rate, with a burst of twice the rate.
        return rate.take(user, 2.0 * ratePerSecond, ratePerSecond)
                .map(wait -> wait == 0)
                .recover(e -> {
                    RATE_FAILED.warn(e);
                    try {
                        localRate.acquire(user);
                        localRate.release(user);
                        return Future.succeededFuture(true);
                    } catch (RuntimeException refused) {
                        return Future.succeededFuture(false);
                    }
                })
                .compose(allowed -> allowed ? open.acquire(user, maxOpen) : Future.failedFuture(UserLimiter.TOO_FAST))
                .compose(result -> switch (result) {
                    case TAKEN -> Future.succeededFuture();
                    case TAKEN_LOCALLY -> {
                        COUNT_FAILED.warn(new IllegalStateException("no answer"));
                        yield Future.succeededFuture();
                    }
                    case REFUSED, REFUSED_LOCALLY -> Future.failedFuture(UserLimiter.TOO_MANY_OPEN);
                });
    }

    @Override
    public void release(String user) {
        open.release(user);
    }

    @Override
    public void close() {
        open.close();
    }
}
