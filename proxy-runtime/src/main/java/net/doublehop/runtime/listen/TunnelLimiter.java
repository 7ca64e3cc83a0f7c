package net.doublehop.runtime.listen;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/**
 * Bounds tunnels (being set up or open) in total and per client connection ({@code limits.max-tunnels},
 * {@code limits.max-tunnels-per-connection}) at either hop; over the bound is 503.
 */
public final class TunnelLimiter {

    public static final ProxyFailure TOTAL = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 503,
            "proxy is at its tunnel limit");
    public static final ProxyFailure PER_CONNECTION = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 503,
            "connection is at its tunnel limit");

    private final int maxTotal;
    private final int maxPerConnection;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<Object, AtomicInteger> perConnection = new ConcurrentHashMap<>();

    public TunnelLimiter(int maxTotal, int maxPerConnection) {
        this.maxTotal = maxTotal;
        this.maxPerConnection = maxPerConnection;
    }

    /** Takes a slot or throws; every successful call must be matched by one {@link #release}. */
    public void acquire(Object connection) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            throw TOTAL;
        }
        AtomicInteger mine = perConnection.computeIfAbsent(connection, c -> new AtomicInteger());
        if (mine.incrementAndGet() > maxPerConnection) {
            mine.decrementAndGet();
            total.decrementAndGet();
            throw PER_CONNECTION;
        }
    }

    public void release(Object connection) {
        total.decrementAndGet();
        perConnection.computeIfPresent(connection, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public int inUse() {
        return total.get();
    }
}
