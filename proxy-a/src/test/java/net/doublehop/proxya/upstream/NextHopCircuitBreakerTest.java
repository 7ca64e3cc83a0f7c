package net.doublehop.proxya.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.upstream.NextHopCircuitBreaker.State;
import org.junit.jupiter.api.Test;

/** The next hop's circuit breaker on a clock the test moves: closed, open, half-open with one probe. */
class NextHopCircuitBreakerTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(5 * SECOND);
    private final AtomicInteger opened = new AtomicInteger();
    private final NextHopCircuitBreaker breaker = new NextHopCircuitBreaker(
            new ProxyAConfig.CircuitBreaker(3, Duration.ofSeconds(2)), clock::get, opened::incrementAndGet);

    private void failTimes(int n) {
        for (int i = 0; i < n; i++) {
            Object r = new Object();
            breaker.admit(r);
            breaker.failed(r);
        }
    }

    private static void assertFastRefusal(NextHopCircuitBreaker b, long retryAfter) {
        assertThatThrownBy(() -> b.admit(new Object())).isInstanceOfSatisfying(ProxyFailure.class, f -> {
            assertThat(f.status()).isEqualTo(503);
            assertThat(f.type()).isEqualTo(ProxyErrorType.DESTINATION_UNAVAILABLE);
            assertThat(f.details()).isEqualTo(NextHopCircuitBreaker.OPEN_DETAILS);
            assertThat(f.retryAfterSeconds()).hasValue(retryAfter);
        });
    }

    @Test
    void opensAfterTheThresholdOfFailuresInARow() {
        failTimes(2);
        Object ok = new Object();
        breaker.admit(ok);
        breaker.succeeded(ok); // a success in between starts the count again
        failTimes(2);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        failTimes(1);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(opened).hasValue(1);
        assertFastRefusal(breaker, 2);
        clock.addAndGet(SECOND + SECOND / 2);
        assertFastRefusal(breaker, 1); // the rest of the cool-down, rounded up
    }

    @Test
    void afterTheCoolDownOneProbeGoesThroughAndItsSuccessCloses() {
        failTimes(3);
        clock.addAndGet(2 * SECOND);
        Object probe = new Object();
        breaker.admit(probe);
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertFastRefusal(breaker, 1); // the others while the probe is under way
        breaker.succeeded(probe);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        breaker.admit(new Object());
    }

    @Test
    void aFailedProbeOpensForAnotherCoolDown() {
        failTimes(3);
        clock.addAndGet(2 * SECOND);
        Object probe = new Object();
        breaker.admit(probe);
        Object late = new Object(); // admitted before the breaker opened; its outcome does not decide
        breaker.succeeded(late);
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        breaker.failed(probe);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(opened).hasValue(2);
        assertFastRefusal(breaker, 2);
    }

    @Test
    void aProbeWhoseUserLeftLetsTheNextRequestProbe() {
        failTimes(3);
        clock.addAndGet(2 * SECOND);
        Object probe = new Object();
        breaker.admit(probe);
        breaker.abandoned(probe);
        Object next = new Object();
        breaker.admit(next);
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        breaker.succeeded(next);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void zeroFailuresTurnsItOff() {
        NextHopCircuitBreaker off = new NextHopCircuitBreaker(new ProxyAConfig.CircuitBreaker(0, Duration.ofSeconds(1)),
                clock::get, opened::incrementAndGet);
        for (int i = 0; i < 100; i++) {
            Object r = new Object();
            off.admit(r);
            off.failed(r);
        }
        assertThat(off.state()).isEqualTo(State.CLOSED);
        assertThat(opened).hasValue(0);
    }
}
