package net.doublehop.runtime.store;

import io.vertx.core.Future;
import java.util.List;

/**
 * Token buckets in the shared Redis: one per subject and purpose, so a user's rate is bounded across all
 * instances, not per instance. The refill uses the Redis server's clock ({@code TIME}), so instances whose clocks
 * disagree still share one bucket consistently. A bucket left alone until it is full again expires.
 */
public final class RedisTokenBuckets {

    /**
     * KEYS: the bucket. ARGV: capacity, refill per millisecond. Takes one token: returns 0, or the whole
     * milliseconds until one will be there (nothing taken).
     */
    private static final RedisStore.LuaScript TAKE = RedisStore.LuaScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local cap = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2])
            local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = cap
            if b[1] and b[2] then
              tokens = math.min(cap, tonumber(b[1]) + math.max(0, now - tonumber(b[2])) * rate)
            end
            local wait = 0
            if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate) + 1000)
            return wait
            """);

    private final RedisStore store;
    private final String purpose;

    /** @param purpose a name for the buckets' use, part of their keys ({@code tunnel-rate}, {@code issuance}) */
    public RedisTokenBuckets(RedisStore store, String purpose) {
        this.store = store;
        this.purpose = purpose;
    }

    /**
     * Takes one token from {@code subject}'s bucket of {@code capacity}, refilled by {@code perSecond}: 0 when
     * taken, else the milliseconds until one will be (at least 1). Fails when Redis does not answer in time.
     */
    public Future<Long> take(String subject, double capacity, double perSecond) {
        return store.eval(TAKE, List.of(store.key("bucket", purpose, RedisStore.subjectKey(subject))),
                        List.of(Double.toString(capacity), Double.toString(perSecond / 1000.0)))
                .map(r -> {
                    long wait = r.toLong();
                    return wait <= 0 ? 0L : Math.max(1L, wait);
                });
    }
}
