package net.doublehop.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.auth.SpentTokenStore.Outcome;
import net.doublehop.runtime.store.RedisTunnelCounts.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared store against a real redis-server: two clients stand for two proxy instances (each its own
 * connection pool and instance id), sharing one Redis under a fresh key prefix per test.
 */
class RedisStoreTest {

    private static RedisServer server;
    private static Vertx vertx;
    private static int round;
    private RedisStore one;
    private RedisStore two;

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
        server.close();
    }

    @BeforeEach
    void clients() {
        StoreSettings s = new StoreSettings(Optional.of(server.uri()), Optional.empty(), "t" + (++round),
                Duration.ofSeconds(10));
        one = RedisStore.create(vertx, s);
        two = RedisStore.create(vertx, s);
    }

    @AfterEach
    void close() {
        one.close();
        two.close();
    }

    private static byte[] bytes(int v) {
        byte[] b = new byte[32];
        b[0] = (byte) v;
        b[31] = (byte) (v >> 8);
        return b;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.await(10, TimeUnit.SECONDS);
    }

    @Test
    void aTokenSpentAtOneInstanceIsReplayedAtTheOther() throws Exception {
        RedisSpentTokenStore a = new RedisSpentTokenStore(one, 100);
        RedisSpentTokenStore b = new RedisSpentTokenStore(two, 100);
        assertThat(await(a.spend(bytes(1), bytes(7)))).isEqualTo(Outcome.FRESH);
        assertThat(await(b.spend(bytes(1), bytes(7)))).isEqualTo(Outcome.REPLAYED);
        assertThat(await(a.spend(bytes(1), bytes(7)))).isEqualTo(Outcome.REPLAYED);
        // the same nonce under another key is another token
        assertThat(await(b.spend(bytes(2), bytes(7)))).isEqualTo(Outcome.FRESH);
    }

    @Test
    void concurrentSpendsOfOneTokenFromTwoInstancesAcceptItOnce() throws Exception {
        RedisSpentTokenStore a = new RedisSpentTokenStore(one, 10_000);
        RedisSpentTokenStore b = new RedisSpentTokenStore(two, 10_000);
        for (int token = 0; token < 50; token++) {
            List<Future<Outcome>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(a.spend(bytes(1), bytes(token)));
                all.add(b.spend(bytes(1), bytes(token)));
            }
            await(Future.all(all));
            assertThat(all.stream().filter(f -> f.result() == Outcome.FRESH).count()).as("token " + token).isEqualTo(1);
            assertThat(all.stream().filter(f -> f.result() == Outcome.REPLAYED).count()).isEqualTo(7);
        }
    }

    @Test
    void capacityIsSharedAndRetiringAKeyGivesRoomBack() throws Exception {
        RedisSpentTokenStore a = new RedisSpentTokenStore(one, 2);
        RedisSpentTokenStore b = new RedisSpentTokenStore(two, 2);
        assertThat(await(a.spend(bytes(1), bytes(1)))).isEqualTo(Outcome.FRESH);
        assertThat(await(b.spend(bytes(2), bytes(1)))).isEqualTo(Outcome.FRESH);
        assertThat(await(a.spend(bytes(2), bytes(2)))).isEqualTo(Outcome.FULL);
        assertThat(await(b.spend(bytes(1), bytes(1)))).isEqualTo(Outcome.REPLAYED); // replay still told apart
        a.retireKey(bytes(1));
        // retireKey does not wait: poll until the room is back
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Outcome o;
        do {
            o = await(b.spend(bytes(2), bytes(2)));
        } while (o == Outcome.FULL && System.nanoTime() < deadline);
        assertThat(o).isEqualTo(Outcome.FRESH);
    }

    @Test
    void anUnreachableStoreRefusesTokensAsUnavailable() throws Exception {
        try (RedisServer gone = RedisServer.start()) {
            RedisStore s = RedisStore.create(vertx, new StoreSettings(Optional.of(gone.uri()), Optional.empty(), "x",
                    Duration.ofSeconds(10)));
            RedisSpentTokenStore store = new RedisSpentTokenStore(s, 10);
            assertThat(await(store.spend(bytes(1), bytes(1)))).isEqualTo(Outcome.FRESH);
            gone.stop();
            assertThat(await(store.spend(bytes(1), bytes(2)))).isEqualTo(Outcome.UNAVAILABLE);
            s.close();
        }
    }

    @Test
    void aBucketIsSharedByTheInstances() throws Exception {
        RedisTokenBuckets a = new RedisTokenBuckets(one, "rate");
        RedisTokenBuckets b = new RedisTokenBuckets(two, "rate");
        // capacity 3, refilled one per hour: four takes in a row, the fourth must wait
        double perSecond = 1.0 / 3600;
        assertThat(await(a.take("alice", 3, perSecond))).isZero();
        assertThat(await(b.take("alice", 3, perSecond))).isZero();
        assertThat(await(a.take("alice", 3, perSecond))).isZero();
        long wait = await(b.take("alice", 3, perSecond));
        assertThat(wait).isBetween(3_500_000L, 3_600_000L);
        assertThat(await(a.take("bob", 3, perSecond))).as("another user's bucket").isZero();
    }

    @Test
    void tunnelCountsAreSummedOverTheInstances() throws Exception {
        RedisTunnelCounts a = new RedisTunnelCounts(one, "open");
        RedisTunnelCounts b = new RedisTunnelCounts(two, "open");
        try {
            assertThat(await(a.acquire("alice", 3))).isEqualTo(Result.TAKEN);
            assertThat(await(b.acquire("alice", 3))).isEqualTo(Result.TAKEN);
            assertThat(await(b.acquire("alice", 3))).isEqualTo(Result.TAKEN);
            assertThat(await(a.acquire("alice", 3))).isEqualTo(Result.REFUSED);
            assertThat(a.localCount("alice")).isEqualTo(1);
            assertThat(await(b.acquire("bob", 3))).as("another user").isEqualTo(Result.TAKEN);
            b.release("alice");
            assertThat(pollUntilTaken(a, "alice", 3)).isEqualTo(Result.TAKEN);
            assertThat(await(b.acquire("alice", 3))).isEqualTo(Result.REFUSED);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void theSlotsOfAnInstanceWhoseLeaseEndedAreFreed() throws Exception {
        RedisTunnelCounts a = new RedisTunnelCounts(one, "open", 2000);
        RedisTunnelCounts b = new RedisTunnelCounts(two, "open", 2000);
        try {
            assertThat(await(b.acquire("alice", 2))).isEqualTo(Result.TAKEN);
            assertThat(await(b.acquire("alice", 2))).isEqualTo(Result.TAKEN);
            assertThat(await(a.acquire("alice", 2))).isEqualTo(Result.REFUSED);
            b.close(); // b stops renewing its lease, as a crashed instance would, without giving its slots back
            assertThat(pollUntilTaken(a, "alice", 2)).isEqualTo(Result.TAKEN);
        } finally {
            a.close();
        }
    }

    @Test
    void anUnreachableStoreLeavesTunnelCountsToTheInstance() throws Exception {
        try (RedisServer gone = RedisServer.start()) {
            RedisStore s = RedisStore.create(vertx, new StoreSettings(Optional.of(gone.uri()), Optional.empty(), "x",
                    Duration.ofSeconds(10)));
            RedisTunnelCounts counts = new RedisTunnelCounts(s, "open");
            gone.stop();
            assertThat(await(counts.acquire("alice", 1))).isEqualTo(Result.TAKEN_LOCALLY);
            assertThat(await(counts.acquire("alice", 1))).isEqualTo(Result.REFUSED_LOCALLY);
            counts.release("alice");
            assertThat(counts.localCount("alice")).isZero();
            counts.close();
            s.close();
        }
    }

    /** Acquires until taken or 10 s have passed (a release or a lease's end is seen by the next write). */
    private static Result pollUntilTaken(RedisTunnelCounts counts, String subject, int max) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Result r = await(counts.acquire(subject, max));
            if (r == Result.TAKEN || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aStoreThatDoesNotAnswerFailsCallsAtOnceAfterAFewTimeouts() throws Exception {
        // accepts connections and never answers: every call would wait for store.timeout
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            RedisStore s = RedisStore.create(vertx, new StoreSettings(Optional.of("redis://127.0.0.1:"
                    + silent.getLocalPort()), Optional.empty(), "t" + (++round), Duration.ofMillis(300)));
            try {
                RedisSpentTokenStore store = new RedisSpentTokenStore(s, 100);
                for (int i = 0; i < StoreCircuit.FAILURES_TO_OPEN; i++) {
                    assertThat(await(store.spend(bytes(1), bytes(i)))).isEqualTo(Outcome.UNAVAILABLE);
                }
                assertThat(s.circuitOpen()).isTrue();
                // fail closed, without asking Redis: the token is refused as unavailable, never accepted
                assertThat(await(store.spend(bytes(1), bytes(9)))).isEqualTo(Outcome.UNAVAILABLE);
                Throwable cause = s.ping().toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
                assertThat(cause).isInstanceOf(RedisStore.Unavailable.class);
            } finally {
                s.close();
            }
        }
    }

    @Test
    void theCircuitClosesWhenRedisAnswersAgain() throws Exception {
        RedisServer gone = RedisServer.start();
        int port = gone.port();
        StoreSettings settings = new StoreSettings(Optional.of(gone.uri()), Optional.empty(), "t" + (++round),
                Duration.ofMillis(300));
        RedisStore s = RedisStore.create(vertx, settings);
        try {
            await(s.ping());
            gone.stop();
            for (int i = 0; i < StoreCircuit.FAILURES_TO_OPEN; i++) {
                s.ping().toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
            }
            assertThat(s.circuitOpen()).isTrue();
            try (RedisServer back = RedisServer.startOn(port)) {
                // the next probe (at most one open period later) finds Redis and closes the circuit
                for (int i = 0; i < 100 && s.circuitOpen(); i++) {
                    s.ping().toCompletionStage().toCompletableFuture().handle((v, e) -> e).get();
                    Thread.sleep(100);
                }
                assertThat(s.circuitOpen()).isFalse();
                await(s.ping());
            }
        } finally {
            s.close();
            gone.close();
        }
    }
}
