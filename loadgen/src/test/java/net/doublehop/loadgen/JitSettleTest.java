package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JitSettleTest {

    @Test
    void settledMeansUnderFivePercentOfOneCoreCompiling() {
        assertThat(JitSettle.quiet(0, 1.0)).isTrue();
        assertThat(JitSettle.quiet(50, 1.0)).isTrue();
        assertThat(JitSettle.quiet(51, 1.0)).isFalse();
        assertThat(JitSettle.quiet(600, 1.0)).isFalse();
        // a phase that ran long (a slow sample) is judged by its length
        assertThat(JitSettle.quiet(90, 2.0)).isTrue();
        assertThat(JitSettle.quiet(90, 1.5)).isFalse();
    }

    @Test
    void theExtensionIsBoundedByTwiceTheWarmupAndAtLeastTenSeconds() {
        assertThat(JitSettle.limit(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(10));
        assertThat(JitSettle.limit(Duration.ofMillis(300))).isEqualTo(Duration.ofSeconds(10));
        assertThat(JitSettle.limit(Duration.ofSeconds(8))).isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void thisJvmReportsItsCompilationTime() {
        JitSettle jit = new JitSettle();
        // HotSpot does; without it the warm-up would silently never be extended
        assertThat(jit.supported()).isTrue();
        assertThat(jit.compiledMillis()).isPositive();
    }
}
