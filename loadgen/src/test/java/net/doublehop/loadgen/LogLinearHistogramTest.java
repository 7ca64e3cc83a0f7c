package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogLinearHistogramTest {

    @Test
    void percentilesOfAUniformDistributionAreWithinTheBucketPrecision() {
        LogLinearHistogram h = new LogLinearHistogram();
        for (long v = 1; v <= 100_000; v++) {
            h.record(v);
        }
        assertThat(h.count()).isEqualTo(100_000);
        assertThat(h.min()).isEqualTo(1);
        assertThat(h.max()).isEqualTo(100_000);
        assertThat(h.mean()).isCloseTo(50_000.5, within(0.001));
        for (double p : new double[] {50, 90, 99, 99.9}) {
            double exact = p / 100 * 100_000;
            assertThat((double) h.percentile(p)).as("p" + p).isCloseTo(exact, within(exact / 64 + 1));
            assertThat(h.percentile(p)).as("p" + p + " never below the true value").isGreaterThanOrEqualTo((long) exact);
        }
        assertThat(h.percentile(100)).isEqualTo(100_000);
    }

    @Test
    void smallValuesAreExact() {
        LogLinearHistogram h = new LogLinearHistogram();
        for (int i = 0; i < 90; i++) {
            h.record(10);
        }
        for (int i = 0; i < 9; i++) {
            h.record(20);
        }
        h.record(100);
        assertThat(h.percentile(50)).isEqualTo(10);
        assertThat(h.percentile(90)).isEqualTo(10);
        assertThat(h.percentile(91)).isEqualTo(20);
        assertThat(h.percentile(99)).isEqualTo(20);
        assertThat(h.percentile(99.5)).isEqualTo(100);
        assertThat(h.buckets()).hasSize(3);
        assertThat(h.buckets().get(0)).containsExactly(10, 11, 90);
    }

    @Test
    void exponentialDistributionPercentiles() {
        // Exponential with mean 1000: p50 = 1000 ln 2, p99 = 1000 ln 100.
        LogLinearHistogram h = new LogLinearHistogram();
        Random r = new Random(42);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            h.record(Math.round(-1000 * Math.log(1 - r.nextDouble())));
        }
        assertThat((double) h.percentile(50)).isCloseTo(693.1, within(693.1 * 0.03));
        assertThat((double) h.percentile(99)).isCloseTo(4605.2, within(4605.2 * 0.04));
    }

    @Test
    void bucketsCoverEveryValueWithBoundedWidth() {
        long[] samples = {0, 1, 127, 128, 129, 255, 256, 1000, 65_535, 1L << 40, Long.MAX_VALUE / 3};
        for (long v : samples) {
            int i = LogLinearHistogram.index(v);
            assertThat(LogLinearHistogram.lowerBound(i)).as("lower of " + v).isLessThanOrEqualTo(v);
            assertThat(LogLinearHistogram.upperBound(i) - 1).as("upper of " + v).isGreaterThanOrEqualTo(v);
            long width = LogLinearHistogram.upperBound(i) - LogLinearHistogram.lowerBound(i);
            assertThat((double) width).isLessThanOrEqualTo(Math.max(1, LogLinearHistogram.lowerBound(i) / 64.0));
        }
        for (int i = 0; i < 3000; i++) {
            assertThat(LogLinearHistogram.index(LogLinearHistogram.lowerBound(i))).isEqualTo(i);
        }
        LogLinearHistogram empty = new LogLinearHistogram();
        assertThat(empty.percentile(99)).isZero();
        assertThat(empty.max()).isZero();
    }
}
