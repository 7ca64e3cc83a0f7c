package net.doublehop.proxya.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.store.RedisServer;
import net.doublehop.runtime.store.RedisStore;
import net.doublehop.runtime.store.StoreSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two Proxy A instances' per-user limits over one real redis-server: the bounds hold for the pair, not each. */
class SharedUserLimiterTest {

    private static RedisServer server;
    private static Vertx vertx;
    private static int round;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        server.close();
    }

    private static RedisStore store(String uri, String prefix) {
        return RedisStore.create(vertx, new StoreSettings(Optional.of(uri), Optional.empty(), prefix,
                Duration.ofSeconds(10)));
    }

    /** The refusal's detail, or "ok". */
    private static String admit(UserLimits l, String user) throws Exception {
        Future<String> f = l.admit(user).map("ok").recover(e -> Future.succeededFuture(((ProxyFailure) e).details()));
        return f.await(10, TimeUnit.SECONDS);
    }

    @Test
    void concurrentTunnelsAreBoundedAcrossInstances() throws Exception {
        String prefix = "a" + (++round);
        try (SharedUserLimiter one = new SharedUserLimiter(store(server.uri(), prefix), 2, 1000);
             SharedUserLimiter two = new SharedUserLimiter(store(server.uri(), prefix), 2, 1000)) {
            assertThat(admit(one, "alice")).isEqualTo("ok");
            assertThat(admit(two, "alice")).isEqualTo("ok");
            assertThat(admit(one, "alice")).isEqualTo(UserLimiter.TOO_MANY_OPEN.details());
            assertThat(admit(two, "alice")).isEqualTo(UserLimiter.TOO_MANY_OPEN.details());
            assertThat(admit(two, "bob")).isEqualTo("ok");
            one.release("alice");
            assertThat(admit(two, "alice")).isEqualTo("ok");
        }
    }

    @Test
    void theRateIsBoundedAcrossInstances() throws Exception {
        String prefix = "r" + (++round);
        // 1 per second, burst 2: two tunnels in a row at either instance, then the third is too fast
        try (SharedUserLimiter one = new SharedUserLimiter(store(server.uri(), prefix), 100, 1);
             SharedUserLimiter two = new SharedUserLimiter(store(server.uri(), prefix), 100, 1)) {
            assertThat(admit(one, "carol")).isEqualTo("ok");
            assertThat(admit(two, "carol")).isEqualTo("ok");
            String third = admit(one, "carol");
            assertThat(third).isEqualTo(UserLimiter.TOO_FAST.details());
        }
    }

    @Test
    void anUnreachableStoreFallsBackToThisInstancesBounds() throws Exception {
        RedisServer gone = RedisServer.start();
        try (SharedUserLimiter one = new SharedUserLimiter(store(gone.uri(), "f"), 1, 1000)) {
            gone.stop();
            assertThat(admit(one, "dave")).isEqualTo("ok");
            assertThat(admit(one, "dave")).isEqualTo(UserLimiter.TOO_MANY_OPEN.details());
            one.release("dave");
            assertThat(admit(one, "dave")).isEqualTo("ok");
        } finally {
            gone.close();
        }
    }
}
