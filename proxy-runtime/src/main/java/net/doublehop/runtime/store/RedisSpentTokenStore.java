package net.doublehop.runtime.store;

import io.vertx.core.Future;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HexFormat;
import java.util.List;
import net.doublehop.runtime.auth.SpentTokenStore;

/**
 * Spent Privacy Pass tokens in the Redis every instance shares, so a token spent at one instance is refused at
 * all the others (RFC 9577 §2.2: the double-spend check is the redeemer's, whatever its number of processes).
 *
 * <p>One set per issuer key ({@code spent:<token_key_id>}) holds the nonces, and one counter ({@code spent:count})
 * the total, checked against {@code spent-token-capacity} like the in-memory store: when full, new tokens are
 * refused rather than old ones forgotten. Membership test, capacity test and insert are one Lua script, so two
 * instances redeeming the same token at the same moment cannot both see it fresh. Type 2 tokens carry no expiry,
 * so entries live as long as their key (as in memory); Redis must not evict them: run it with
 * {@code maxmemory-policy noeviction}, and a write Redis refuses for memory is answered as a full store.
 *
 * <p>Redis unreachable, or slower than {@code store.timeout}: {@link Outcome#UNAVAILABLE}, which the redeemer
 * answers with 503 (fail closed: a token nobody recorded could be spent again elsewhere).
 */
public final class RedisSpentTokenStore implements SpentTokenStore {

    private static final Logger LOG = System.getLogger("store");

    /** KEYS: the key's nonce set, the counter. ARGV: nonce, capacity. Returns 0 fresh, 1 replayed, 2 full. */
    private static final RedisStore.LuaScript SPEND = RedisStore.LuaScript.of("""
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
            if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then return 2 end
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('INCR', KEYS[2])
            return 0
            """);

    /** KEYS: the key's nonce set, the counter. Forgets the set and gives its room back. */
    private static final RedisStore.LuaScript RETIRE = RedisStore.LuaScript.of("""
            local n = redis.call('SCARD', KEYS[1])
            if n > 0 then
              redis.call('DEL', KEYS[1])
              redis.call('DECRBY', KEYS[2], n)
            end
            return n
            """);

    private static final StoreWarnings SPEND_FAILED = new StoreWarnings(
            "spending a token failed; tokens are refused with 503 until the store answers", 10_000);

    private final RedisStore store;
    private final int capacity;

    public RedisSpentTokenStore(RedisStore store, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.store = store;
        this.capacity = capacity;
    }

    @Override
    public Future<Outcome> spend(byte[] tokenKeyId, byte[] nonce) {
        HexFormat hex = HexFormat.of();
        return store.eval(SPEND, List.of(setKey(tokenKeyId), store.key("spent", "count")),
                        List.of(hex.formatHex(nonce), capacity))
                .map(r -> switch (r.toInteger()) {
                    case 0 -> Outcome.FRESH;
                    case 1 -> Outcome.REPLAYED;
                    default -> Outcome.FULL;
                })
                .recover(e -> {
                    if (e.getMessage() != null && e.getMessage().startsWith("OOM")) {
                        return Future.succeededFuture(Outcome.FULL); // Redis at maxmemory with noeviction
                    }
                    SPEND_FAILED.warn(e);
                    return Future.succeededFuture(Outcome.UNAVAILABLE);
                });
    }

    /**
     * Forgets every token of a key. Shared: this affects every instance, so call it only once no instance accepts
     * the key any more.
     */
    @Override
    public void retireKey(byte[] tokenKeyId) {
        store.eval(RETIRE, List.of(setKey(tokenKeyId), store.key("spent", "count")), List.of())
                .onFailure(e -> LOG.log(Level.WARNING, "store: retiring a key's tokens failed ("
                        + e.getClass().getSimpleName() + ")"));
    }

    private String setKey(byte[] tokenKeyId) {
        return store.key("spent", HexFormat.of().formatHex(tokenKeyId));
    }
}
