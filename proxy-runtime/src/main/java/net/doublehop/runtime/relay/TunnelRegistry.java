package net.doublehop.runtime.relay;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Open tunnels and UDP flows, for the idle sweep and for closing what is left at the shutdown deadline. */
public final class TunnelRegistry {

    private final Set<Relay> open = ConcurrentHashMap.newKeySet();
    private final Vertx vertx;
    private final long idleNanos;
    private final long sweepTimer;

    public TunnelRegistry(Vertx vertx, Duration idleTimeout) {
        this.vertx = vertx;
        this.idleNanos = idleTimeout.toNanos();
        // Sweeping a few times per timeout bounds the overshoot to a quarter of it, at the cost of a scan.
        long period = Math.max(100, Math.min(idleTimeout.toMillis() / 4, 5_000));
        this.sweepTimer = vertx.setPeriodic(period, t -> sweep());
    }

    public void add(Relay t) {
        open.add(t);
    }

    public void remove(Relay t) {
        open.remove(t);
    }

    public int size() {
        return open.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Relay t : open) {
            if (t.idleSince(now, idleNanos)) {
                t.closeIdle();
            }
        }
    }

    public void closeAll() {
        vertx.cancelTimer(sweepTimer);
        for (Relay t : open) {
            t.abort();
        }
    }
}
