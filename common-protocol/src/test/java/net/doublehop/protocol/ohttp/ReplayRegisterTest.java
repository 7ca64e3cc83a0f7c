package net.doublehop.protocol.ohttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The strike register of RFC 9458 §6.5 on a clock the test moves: replays, expiry, and its bound. */
class ReplayRegisterTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    private static byte[] enc(long n) {
        return ByteBuffer.allocate(32).putLong(n).putLong(~n).putLong(n * 31).putLong(7).array();
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void aRequestSeenAgainWithinTheWindowIsAReplay() {
        ReplayRegister r = new ReplayRegister(Duration.ofSeconds(60), 100, clock::get);
        assertThat(r.register(enc(1))).isEqualTo(ReplayRegister.Outcome.FRESH);
        assertThat(r.register(enc(2))).isEqualTo(ReplayRegister.Outcome.FRESH);
        advance(Duration.ofSeconds(59));
        assertThat(r.register(enc(1))).isEqualTo(ReplayRegister.Outcome.REPLAYED);
        assertThat(r.register(enc(1).clone())).isEqualTo(ReplayRegister.Outcome.REPLAYED); // by value, not identity
        byte[] oneBitOff = enc(1);
        oneBitOff[31] ^= 1;
        assertThat(r.register(oneBitOff)).isEqualTo(ReplayRegister.Outcome.FRESH);
        assertThat(r.size()).isEqualTo(3);
    }

    @Test
    void everyEntryIsRememberedForAtLeastTheWindowAndThenForgotten() {
        Duration window = Duration.ofSeconds(80);
        ReplayRegister r = new ReplayRegister(window, 1000, clock::get);
        r.register(enc(1));
        advance(window.minusNanos(1));
        assertThat(r.register(enc(1))).isEqualTo(ReplayRegister.Outcome.REPLAYED);
        advance(window.dividedBy(ReplayRegister.BUCKETS).plusNanos(1)); // past window + one bucket
        assertThat(r.size()).isZero();
        assertThat(r.register(enc(1))).isEqualTo(ReplayRegister.Outcome.FRESH);
    }

    @Test
    void aFullRegisterRefusesNewRequestsRatherThanForgetLiveOnes() {
        ReplayRegister r = new ReplayRegister(Duration.ofSeconds(60), 1000, clock::get);
        for (int i = 0; i < 1000; i++) {
            assertThat(r.register(enc(i))).isEqualTo(ReplayRegister.Outcome.FRESH);
            advance(Duration.ofMillis(10));
        }
        assertThat(r.register(enc(5000))).isEqualTo(ReplayRegister.Outcome.FULL);
        assertThat(r.register(enc(0))).isEqualTo(ReplayRegister.Outcome.REPLAYED); // still remembered
        assertThat(r.size()).isEqualTo(1000);
        advance(Duration.ofSeconds(70)); // all 1000 entries (10 s of them) are now past window + bucket
        assertThat(r.size()).isZero();
        assertThat(r.register(enc(5000))).isEqualTo(ReplayRegister.Outcome.FRESH);
    }

    @Test
    void underSteadyLoadTheRegisterStaysBoundedByRateTimesWindow() {
        // 1000 requests a second for 10 minutes with a 60 s window: at most 60 s + one 7.5 s bucket of them
        // are held at any time, never the 600,000 seen
        ReplayRegister r = new ReplayRegister(Duration.ofSeconds(60), 100_000, clock::get);
        int most = 0;
        for (int i = 0; i < 600_000; i++) {
            assertThat(r.register(enc(i))).isEqualTo(ReplayRegister.Outcome.FRESH);
            advance(Duration.ofMillis(1));
            if (i % 1000 == 0) {
                most = Math.max(most, r.size());
            }
        }
        assertThat(most).isBetween(60_000, 67_500 + 1000);
        assertThat(r.size()).isLessThanOrEqualTo(67_500 + 1000);
    }

    @Test
    void refusesAnUnboundedOrEmptyConfiguration() {
        assertThatThrownBy(() -> new ReplayRegister(Duration.ZERO, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReplayRegister(Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
