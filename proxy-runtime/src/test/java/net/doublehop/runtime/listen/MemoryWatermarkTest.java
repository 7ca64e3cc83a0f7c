package net.doublehop.runtime.listen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import org.junit.jupiter.api.Test;

/** {@link MemoryWatermark} and the tunnel limiter that consults it, on readings the test chooses. */
class MemoryWatermarkTest {

    private static final long MIB = 1 << 20;

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private volatile MemoryWatermark.Reading reading = new MemoryWatermark.Reading(100 * MIB, 1000 * MIB, 0, 1000 * MIB);
    private int reads;

    private MemoryWatermark watermark(double fraction) {
        return new MemoryWatermark(fraction, () -> {
            reads++;
            return reading;
        }, clock::get);
    }

    @Test
    void refusesWhileHeapOrDirectMemoryIsAboveTheWatermarkAndAdmitsAgainWhenItDrops() {
        MemoryWatermark w = watermark(0.8);
        assertThat(w.isOver()).isFalse();

        reading = new MemoryWatermark.Reading(900 * MIB, 1000 * MIB, 0, 1000 * MIB);
        clock.addAndGet(MemoryWatermark.SAMPLE_NANOS);
        assertThat(w.isOver()).isTrue();
        assertThat(w.lastFraction()).isEqualTo(0.9);
        assertThatThrownBy(w::check).isSameAs(MemoryWatermark.OVER);

        reading = new MemoryWatermark.Reading(100 * MIB, 1000 * MIB, 850 * MIB, 1000 * MIB); // direct memory
        clock.addAndGet(MemoryWatermark.SAMPLE_NANOS);
        assertThat(w.isOver()).isTrue();

        reading = new MemoryWatermark.Reading(100 * MIB, 1000 * MIB, 100 * MIB, 1000 * MIB);
        clock.addAndGet(MemoryWatermark.SAMPLE_NANOS);
        assertThat(w.isOver()).isFalse();
    }

    @Test
    void readsAtMostOncePerSamplingInterval() {
        MemoryWatermark w = watermark(0.8);
        for (int i = 0; i < 1000; i++) {
            w.isOver();
        }
        assertThat(reads).isEqualTo(1);
        reading = new MemoryWatermark.Reading(900 * MIB, 1000 * MIB, 0, 1000 * MIB);
        assertThat(w.isOver()).as("the stale reading holds within the interval").isFalse();
        clock.addAndGet(MemoryWatermark.SAMPLE_NANOS);
        assertThat(w.isOver()).isTrue();
        assertThat(reads).isEqualTo(2);
    }

    @Test
    void oneTurnsItOff() {
        reading = new MemoryWatermark.Reading(1000 * MIB, 1000 * MIB, 1000 * MIB, 1000 * MIB);
        assertThat(watermark(1).isOver()).isFalse();
        assertThat(reads).isZero();
    }

    @Test
    void onlyFractionsInZeroToOne() {
        for (double bad : new double[] {0, -0.1, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> watermark(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theLimiterShedsNewTunnelsOverTheWatermarkAndOpenOnesKeepTheirSlots() {
        MemoryWatermark w = watermark(0.8);
        List<String> shed = new ArrayList<>();
        TunnelLimiter limiter = new TunnelLimiter(10, 10, w, shed::add);
        Object connection = new Object();
        limiter.acquire(connection);

        reading = new MemoryWatermark.Reading(900 * MIB, 1000 * MIB, 0, 1000 * MIB);
        clock.addAndGet(MemoryWatermark.SAMPLE_NANOS);
        assertThatThrownBy(() -> limiter.acquire(connection)).isInstanceOfSatisfying(ProxyFailure.class, f -> {
            assertThat(f.status()).isEqualTo(503);
            assertThat(f.type()).isEqualTo(ProxyErrorType.CONNECTION_LIMIT_REACHED);
        });
        assertThat(limiter.inUse()).as("the open tunnel keeps its slot, the refused one took none").isEqualTo(1);
        assertThat(shed).containsExactly("memory");

        reading = new MemoryWatermark.Reading(100 * MIB, 1000 * MIB, 0, 1000 * MIB);
        clock.addAndGet(MemoryWatermark.SAMPLE_NANOS);
        limiter.acquire(connection);
        assertThat(limiter.inUse()).isEqualTo(2);
    }

    @Test
    void theLimiterNamesWhichBoundShed() {
        List<String> shed = new ArrayList<>();
        TunnelLimiter limiter = new TunnelLimiter(2, 1, null, shed::add);
        Object one = new Object();
        limiter.acquire(one);
        assertThatThrownBy(() -> limiter.acquire(one)).isSameAs(TunnelLimiter.PER_CONNECTION);
        limiter.acquire(new Object());
        assertThatThrownBy(() -> limiter.acquire(new Object())).isSameAs(TunnelLimiter.TOTAL);
        assertThat(shed).containsExactly("connection", "tunnels");
    }

    @Test
    void thisJvmsReadingIsAFractionOfItsMaximum() {
        MemoryWatermark w = MemoryWatermark.ofThisJvm(0.99);
        w.isOver();
        assertThat(w.lastFraction()).isStrictlyBetween(0.0, 1.0);
    }
}
