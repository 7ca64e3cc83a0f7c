package net.doublehop.runtime.store;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.LongSupplier;

/**
 * A circuit breaker in front of Redis, so that an unreachable store costs a request nothing instead of
 * {@code store.timeout} each. After {@link #FAILURES_TO_OPEN} calls in a row fail without an answer from Redis
 * (a timeout, a refused or dropped connection), the circuit opens: calls fail at once for {@link #OPEN_NANOS},
 * then one call goes through as a probe; its success closes the circuit, its failure opens it again. Callers treat
 * a failed call as they always did (spent tokens: refused, fail closed; limits: this instance's own bound).
 * An error Redis answers (e.g. OOM) is an answer: it counts as reachable.
 */
final class StoreCircuit {

    static final int FAILURES_TO_OPEN = 3;
    static final long OPEN_NANOS = 1_000_000_000L;

    private static final Logger LOG = System.getLogger("store");

    private final LongSupplier nanoTime;
    private int failures;
    private boolean open;
    private long openUntil;
    private boolean probing;

    StoreCircuit(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** True when a call may go to Redis now; false: fail it at once. */
    synchronized boolean allow() {
        if (!open) {
            return true;
        }
        if (probing || nanoTime.getAsLong() - openUntil < 0) {
            return false;
        }
        probing = true; // the one call that finds out whether Redis is back
        return true;
    }

    /** Redis answered (a result, or an error reply). */
    synchronized void reachable() {
        if (open) {
            LOG.log(Level.INFO, "store: Redis answers again; store calls go through");
        }
        failures = 0;
        open = false;
        probing = false;
    }

    /** The call got no answer from Redis. */
    synchronized void unreachable() {
        failures++;
        probing = false;
        if (open || failures >= FAILURES_TO_OPEN) {
            if (!open) {
                LOG.log(Level.WARNING, "store: Redis did not answer " + failures + " calls in a row; store calls "
                        + "now fail at once, with one probe every " + OPEN_NANOS / 1_000_000 + " ms");
            }
            open = true;
            openUntil = nanoTime.getAsLong() + OPEN_NANOS;
        }
    }

    synchronized boolean isOpen() {
        return open;
    }
}
