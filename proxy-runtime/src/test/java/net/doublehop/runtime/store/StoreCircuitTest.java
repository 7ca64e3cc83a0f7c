package net.doublehop.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The circuit in front of Redis, on a clock of the test's own. */
class StoreCircuitTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final StoreCircuit circuit = new StoreCircuit(now::get);

    @Test
    void opensAfterFailuresInARowAndLetsOneProbeThroughAfterTheOpenTime() {
        for (int i = 0; i < StoreCircuit.FAILURES_TO_OPEN - 1; i++) {
            assertThat(circuit.allow()).isTrue();
            circuit.unreachable();
        }
        assertThat(circuit.isOpen()).isFalse();
        assertThat(circuit.allow()).isTrue();
        circuit.unreachable();
        assertThat(circuit.isOpen()).isTrue();
        assertThat(circuit.allow()).as("open: fail at once").isFalse();

        now.addAndGet(StoreCircuit.OPEN_NANOS);
        assertThat(circuit.allow()).as("the probe").isTrue();
        assertThat(circuit.allow()).as("one probe at a time").isFalse();
        circuit.unreachable();
        assertThat(circuit.allow()).as("the probe failed: open again").isFalse();

        now.addAndGet(StoreCircuit.OPEN_NANOS);
        assertThat(circuit.allow()).isTrue();
        circuit.reachable();
        assertThat(circuit.isOpen()).isFalse();
        assertThat(circuit.allow()).isTrue();
    }

    @Test
    void anAnswerBetweenFailuresStartsTheCountAgain() {
        circuit.unreachable();
        circuit.unreachable();
        circuit.reachable();
        circuit.unreachable();
        circuit.unreachable();
        assertThat(circuit.isOpen()).isFalse();
        assertThat(circuit.allow()).isTrue();
    }
}
