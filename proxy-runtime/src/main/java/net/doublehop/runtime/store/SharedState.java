package net.doublehop.runtime.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import net.doublehop.runtime.auth.InMemorySpentTokenStore;
import net.doublehop.runtime.auth.SpentTokenStore;
import net.doublehop.runtime.metrics.ProxyMetrics;

/**
 * Where a proxy keeps the state its instances share ({@code store}): in this process (the default, one instance)
 * or in Redis ({@code store.redis}, several instances behind a load balancer). Built once at start; the proxy
 * closes it last.
 */
public final class SharedState {

    private static final Logger LOG = System.getLogger("store");

    private final Optional<RedisStore> redis;
    private final ProxyMetrics metrics;

    private SharedState(Optional<RedisStore> redis, ProxyMetrics metrics) {
        this.redis = redis;
        this.metrics = metrics;
    }

    /**
     * Opens the store. A Redis that does not answer at start is a warning, not a failure: the proxy starts, tokens
     * are refused (503) and limits are per instance until it answers.
     */
    public static SharedState open(Vertx vertx, StoreSettings settings, ProxyMetrics metrics) {
        if (!settings.shared()) {
            return new SharedState(Optional.empty(), metrics);
        }
        RedisStore store = RedisStore.create(vertx, settings);
        LOG.log(Level.INFO, "store: shared state in Redis (key prefix " + settings.keyPrefix() + ")");
        store.ping().onFailure(e -> LOG.log(Level.WARNING, "store: Redis does not answer at start ("
                + e.getClass().getSimpleName() + "); Privacy Pass tokens are refused with 503 and per-user limits "
                + "hold per instance until it does"));
        return new SharedState(Optional.of(store), metrics);
    }

    /** The Redis client, when the store is shared. */
    public Optional<RedisStore> redis() {
        return redis;
    }

    /** Spent Privacy Pass tokens (in Redis or in memory), counted in {@code privacy_proxy_privacy_pass_redemptions}. */
    public SpentTokenStore spentTokens(int capacity) {
        SpentTokenStore store = redis.<SpentTokenStore>map(r -> new RedisSpentTokenStore(r, capacity))
                .orElseGet(() -> new InMemorySpentTokenStore(capacity));
        return new SpentTokenStore() {
            @Override
            public Future<Outcome> spend(byte[] tokenKeyId, byte[] nonce) {
                return store.spend(tokenKeyId, nonce).onSuccess(o -> metrics.tokenRedeemed(o.name()));
            }

            @Override
            public void retireKey(byte[] tokenKeyId) {
                store.retireKey(tokenKeyId);
            }
        };
    }

    public Future<Void> close() {
        redis.ifPresent(RedisStore::close);
        return Future.succeededFuture();
    }
}
