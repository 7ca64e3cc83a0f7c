package net.doublehop.proxya.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.store.RedisServer;
import net.doublehop.runtime.store.RedisStore;
import net.doublehop.runtime.store.StoreSettings;
import org.junit.jupiter.api.Test;

/** Two issuers' per-user allowance over one real redis-server: one hour's allowance for the pair, not each. */
class SharedIssuanceLimiterTest {

    @Test
    void theHourlyAllowanceIsSharedAndFallsBackToTheInstanceWhenRedisIsGone() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RedisServer server = RedisServer.start()) {
            StoreSettings s = new StoreSettings(Optional.of(server.uri()), Optional.empty(), "i", Duration.ofSeconds(10));
            SharedIssuanceLimiter one = new SharedIssuanceLimiter(RedisStore.create(vertx, s), 2);
            SharedIssuanceLimiter two = new SharedIssuanceLimiter(RedisStore.create(vertx, s), 2);
            assertThat(one.take("alice").await(10, TimeUnit.SECONDS)).isZero();
            assertThat(two.take("alice").await(10, TimeUnit.SECONDS)).isZero();
            // both gone: the next in 30 minutes (2 per hour), told in whole seconds
            assertThat(one.take("alice").await(10, TimeUnit.SECONDS)).isBetween(1700L, 1800L);
            assertThat(two.take("bob").await(10, TimeUnit.SECONDS)).isZero();
            server.stop();
            // this instance's own bucket: alice has not fetched here yet as far as it knows
            assertThat(one.take("alice").await(10, TimeUnit.SECONDS)).isZero();
            assertThat(one.take("alice").await(10, TimeUnit.SECONDS)).isZero();
            assertThat(one.take("alice").await(10, TimeUnit.SECONDS)).isPositive();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
