package net.doublehop.runtime.listen;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/**
 * Bounds tunnels (being set up or open) in total and per client connection ({@code limits.max-tunnels},
 * {@code limits.max-tunnels-per-connection}) at either hop, and refuses new ones while memory is above
 * {@code limits.memory-watermark} ({@link MemoryWatermark}); over a bound is 503 with {@code Retry-After}
 * (FailureResponses), early and cheaply: before any next hop, destination or token store is asked.
 */
public final class TunnelLimiter {

    public static final ProxyFailure TOTAL = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 503,
            "proxy is at its tunnel limit");
    public static final ProxyFailure PER_CONNECTION = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 503,
            "connection is at its tunnel limit");

    /** What was shed, for the overload metric: {@code tunnels}, {@code connection}, {@code memory}. */
    public interface ShedListener {
        void shed(String reason);
    }

    private final int maxTotal;
    private final int maxPerConnection;
    private final MemoryWatermark memory;
    private final ShedListener onShed;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<Object, AtomicInteger> perConnection = new ConcurrentHashMap<>();

    /** Tunnel counts only, no memory watermark. */
    public TunnelLimiter(int maxTotal, int maxPerConnection) {
        this(maxTotal, maxPerConnection, null, reason -> { });
    }

    /** @param memory the memory watermark, or null for none */
    public TunnelLimiter(int maxTotal, int maxPerConnection, MemoryWatermark memory, ShedListener onShed) {
        this.maxTotal = maxTotal;
        this.maxPerConnection = maxPerConnection;
        this.memory = memory;
        this.onShed = onShed;
    }

    /**
     * The limiter of a proxy's config: its tunnel bounds and its memory watermark ({@code limits.memory-watermark}),
     * each refusal counted in {@code metrics} by reason, the watermark's state exported there too.
     */
    public static TunnelLimiter of(net.doublehop.runtime.config.Limits limits,
            net.doublehop.runtime.metrics.ProxyMetrics metrics) {
        MemoryWatermark memory = MemoryWatermark.ofThisJvm(limits.memoryWatermark());
        metrics.memoryWatermark(memory);
        return new TunnelLimiter(limits.maxTunnels(), limits.maxTunnelsPerConnection(), memory, metrics::shed);
    }

    /** Takes a slot or throws; every successful call must be matched by one {@link #release}. */
    public void acquire(Object connection) {
        if (memory != null && memory.isOver()) {
            onShed.shed("memory");
            throw MemoryWatermark.OVER;
        }
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            onShed.shed("tunnels");
            throw TOTAL;
        }
        AtomicInteger mine = perConnection.computeIfAbsent(connection, c -> new AtomicInteger());
        if (mine.incrementAndGet() > maxPerConnection) {
            mine.decrementAndGet();
            total.decrementAndGet();
            onShed.shed("connection");
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
