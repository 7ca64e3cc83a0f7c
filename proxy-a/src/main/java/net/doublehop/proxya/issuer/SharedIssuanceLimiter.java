package net.doublehop.proxya.issuer;

import io.vertx.core.Future;
import net.doublehop.runtime.store.RedisStore;
import net.doublehop.runtime.store.RedisTokenBuckets;
import net.doublehop.runtime.store.StoreWarnings;

/**
 * Tokens per user per hour across every Proxy A instance sharing {@code store.redis}: one bucket per user in
 * Redis, so a user cannot fetch the hour's allowance once per instance. When Redis does not answer, this
 * instance's own bucket decides (the bound then holds per instance), so a store outage does not stop issuance;
 * a token is worth one tunnel, and the spent-token check, which fails closed, is what makes it single-use.
 */
public final class SharedIssuanceLimiter implements IssuanceLimits {

    private static final StoreWarnings FAILED = new StoreWarnings(
            "issuance limit check failed; this instance's own limit applies", 10_000);

    private final RedisTokenBuckets buckets;
    private final IssuanceLimiter local;
    private final int perHour;

    public SharedIssuanceLimiter(RedisStore store, int perHour) {
        this.buckets = new RedisTokenBuckets(store, "issuance");
        this.local = new IssuanceLimiter(perHour, System::nanoTime);
        this.perHour = perHour;
    }

    @Override
    public Future<Long> take(String user) {
        return buckets.take(user, perHour, perHour / 3600.0)
                .map(millis -> millis == 0 ? 0L : Math.max(1L, (millis + 999) / 1000))
                .recover(e -> {
                    FAILED.warn(e);
                    return local.take(user);
                });
    }

    @Override
    public void sweep() {
        local.sweep();
    }
}
