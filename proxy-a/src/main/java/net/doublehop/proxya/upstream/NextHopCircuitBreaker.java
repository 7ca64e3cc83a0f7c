package net.doublehop.proxya.upstream;

import java.util.function.LongSupplier;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.proxya.config.ProxyAConfig;

/**
 * A's circuit breaker for Proxy B ({@code upstream.circuit-breaker}): when no connection to B can be made (refused,
 * failed, or not within the connect timeout) for {@code failures} requests in a row, the breaker opens and new tunnels get a fast 503
 * {@code destination_unavailable} with {@code Retry-After} for the cool-down, instead of every user waiting for a
 * connect timeout against a dead or black-holed B while their requests pile up. After the cool-down one request
 * goes through as the probe (half-open) while the others still get the fast 503: its success closes the breaker,
 * its failure opens it for another cool-down. One probe per cool-down is all a dead B sees from A. A B that
 * accepts connections but answers late is not "down": its answer waits for the destination's dial, so one slow
 * destination must not shed every user (a soak under heavy load showed that).
 *
 * <p>A short cool-down (1 s by default) keeps the time from B's return to the first good tunnel about as short
 * as without a breaker. Called from every event loop, hence synchronized; it guards a few fields, no I/O.
 */
final class NextHopCircuitBreaker {

    enum State { CLOSED, OPEN, HALF_OPEN }

    static final String OPEN_DETAILS = "next hop failing: circuit breaker open";

    private final int threshold;
    private final long coolDownNanos;
    private final LongSupplier nanoTime;
    private final Runnable onOpen;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openUntil;
    /** The request probing B while half-open, so that only its outcome closes or reopens the breaker. */
    private Object probe;

    /** @param onOpen told each time the breaker opens (the metric) */
    NextHopCircuitBreaker(ProxyAConfig.CircuitBreaker settings, LongSupplier nanoTime, Runnable onOpen) {
        this.threshold = settings.failures();
        this.coolDownNanos = settings.coolDown().toNanos();
        this.nanoTime = nanoTime;
        this.onOpen = onOpen;
    }

    /**
     * Lets a request go to B, or refuses it with the fast 503 (its {@code Retry-After} the rest of the cool-down).
     *
     * @param request the request's identity: the one let through as the probe must report with the same object
     */
    synchronized void admit(Object request) {
        if (threshold == 0 || state == State.CLOSED) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (state == State.OPEN && now - openUntil >= 0) {
            state = State.HALF_OPEN;
            probe = request;
            return;
        }
        long remaining = Math.max(0, openUntil - now);
        throw new ProxyFailure(ProxyErrorType.DESTINATION_UNAVAILABLE, 503, OPEN_DETAILS)
                .withRetryAfter(Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L));
    }

    /** B answered the request (whatever the status: B is up). */
    synchronized void succeeded(Object request) {
        if (state == State.HALF_OPEN && request != probe) {
            return; // a request admitted before the breaker opened: the probe decides
        }
        state = State.CLOSED;
        consecutiveFailures = 0;
        probe = null;
    }

    /** No connection to B for the request: refused, failed, or not within the connect timeout. */
    synchronized void failed(Object request) {
        if (threshold == 0) {
            return;
        }
        if (state == State.HALF_OPEN) {
            if (request == probe) {
                open();
            }
            return;
        }
        if (state == State.CLOSED && ++consecutiveFailures >= threshold) {
            open();
        }
    }

    /** The request ended without telling anything about B (the user left first, a stream failed, a late answer). */
    synchronized void abandoned(Object request) {
        if (state == State.HALF_OPEN && request == probe) {
            // Let the next request probe at once.
            state = State.OPEN;
            openUntil = nanoTime.getAsLong();
            probe = null;
        }
    }

    private void open() {
        state = State.OPEN;
        openUntil = nanoTime.getAsLong() + coolDownNanos;
        consecutiveFailures = 0;
        probe = null;
        onOpen.run();
    }

    synchronized State state() {
        return state;
    }
}
