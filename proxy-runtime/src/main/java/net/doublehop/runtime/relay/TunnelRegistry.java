package net.doublehop.runtime.relay;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Open tunnels, for the idle sweep and for closing what is left at the shutdown deadline. */
public final class TunnelRegistry {

    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
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

    public void add(Tunnel t) {
        open.add(t);
    }

    public void remove(Tunnel t) {
        open.remove(t);
    }

    public int size() {
        return open.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Tunnel t : open) {
            if (t.idleSince(now, idleNanos)) {
                t.closeIdle();
            }
        }
    }

    public void closeAll() {
        vertx.cancelTimer(sweepTimer);
        for (Tunnel t : open) {
            t.abort();
        }
    }
}
