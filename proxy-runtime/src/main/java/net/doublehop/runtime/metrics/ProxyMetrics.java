package net.doublehop.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The metric names of docs/architecture.md §6, declared once. Labels are bounded by construction: hop, protocol
 * (h1/h2/h3), method, status (an HTTP status code), pool (a configured pool name or "none"). Never an
 * address, user, token or host name.
 *
 * <p>Prometheus counters carry a {@code _total} suffix, so {@code privacy_proxy_requests_by_status} is
 * exported as {@code privacy_proxy_requests_by_status_total}.
 */
public final class ProxyMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String hop;
    private final AtomicInteger activeConnections = new AtomicInteger();
    private final AtomicInteger activeTunnels = new AtomicInteger();

    public ProxyMetrics(String hop) {
        this.hop = hop;
        Gauge.builder("privacy_proxy_connections_active", activeConnections, AtomicInteger::get)
                .description("Client connections currently open").tag("hop", hop).register(registry);
        Gauge.builder("privacy_proxy_tunnels_active", activeTunnels, AtomicInteger::get)
                .description("Tunnels currently open").tag("hop", hop).register(registry);
    }

    public void connectionOpened(String protocol) {
        activeConnections.incrementAndGet();
        Counter.builder("privacy_proxy_connections").description("Client connections accepted")
                .tags("hop", hop, "protocol", protocol).register(registry).increment();
    }

    public void connectionClosed(String protocol, long durationNanos) {
        activeConnections.decrementAndGet();
        Timer.builder("privacy_proxy_connections_duration").description("Client connection lifetime")
                .tags("hop", hop, "protocol", protocol).register(registry)
                .record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** One tunnel request answered: counts it by protocol/method and by status. */
    public void requestAnswered(String protocol, String method, int status, String pool) {
        Counter.builder("privacy_proxy_requests").description("Tunnel requests answered")
                .tags("hop", hop, "protocol", protocol, "method", method).register(registry).increment();
        Counter.builder("privacy_proxy_requests_by_status").description("Tunnel requests by response status")
                .tags("hop", hop, "protocol", protocol, "method", method, "status", Integer.toString(status),
                        "pool", pool)
                .register(registry).increment();
    }

    public void connectLatency(String pool, long nanos) {
        Timer.builder("privacy_proxy_connect_latency").description("Time to reach the destination")
                .tags("hop", hop, "pool", pool).publishPercentileHistogram().register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void firstByteLatency(String pool, long nanos) {
        Timer.builder("privacy_proxy_first_byte_latency")
                .description("Tunnel established to first byte from the destination")
                .tags("hop", hop, "pool", pool).register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void tunnelOpened() {
        activeTunnels.incrementAndGet();
    }

    /** Bytes from the client side ({@code received}) and to it ({@code sent}). */
    public void tunnelClosed(String protocol, String method, long bytesFromClient, long bytesToClient) {
        activeTunnels.decrementAndGet();
        Counter.builder("privacy_proxy_bytes_received").description("Payload bytes from clients")
                .tags("hop", hop, "protocol", protocol, "method", method).register(registry)
                .increment(bytesFromClient);
        Counter.builder("privacy_proxy_bytes_sent").description("Payload bytes to clients")
                .tags("hop", hop, "protocol", protocol, "method", method).register(registry)
                .increment(bytesToClient);
    }

    /**
     * A request refused with an RFC 9209 {@code Proxy-Status} error type ({@code error}: the type's token, a fixed
     * set), so refusals can be told apart by cause.
     */
    public void refused(String errorType) {
        Counter.builder("privacy_proxy_refusals").description("Tunnel requests refused, by Proxy-Status error type")
                .tags("hop", hop, "error", errorType).register(registry).increment();
    }

    /** A verified Privacy Pass token met the spent-token store: {@code fresh}, {@code replayed}, {@code full}, {@code unavailable}. */
    public void tokenRedeemed(String outcome) {
        Counter.builder("privacy_proxy_privacy_pass_redemptions")
                .description("Privacy Pass tokens checked against the spent-token store, by outcome")
                .tags("hop", hop, "result", outcome.toLowerCase(java.util.Locale.ROOT)).register(registry).increment();
    }

    /**
     * A new tunnel shed before any work because a bound was reached: {@code tunnels} ({@code limits.max-tunnels}),
     * {@code connection} ({@code limits.max-tunnels-per-connection}), {@code memory} ({@code limits.memory-watermark}),
     * {@code circuit_open} (A: the next hop's circuit breaker).
     */
    public void shed(String reason) {
        Counter.builder("privacy_proxy_overload_shed").description("New tunnels refused early by an overload bound")
                .tags("hop", hop, "reason", reason).register(registry).increment();
    }

    /** The memory watermark's state: the fraction in use at the last reading, and 1 while above the watermark. */
    public void memoryWatermark(net.doublehop.runtime.listen.MemoryWatermark watermark) {
        Gauge.builder("privacy_proxy_memory_in_use_ratio", watermark,
                        net.doublehop.runtime.listen.MemoryWatermark::lastFraction)
                .description("Heap or direct memory in use, the larger fraction of its maximum, at the last reading")
                .tag("hop", hop).strongReference(true).register(registry);
        Gauge.builder("privacy_proxy_memory_over_watermark", watermark, w -> w.isOver() ? 1 : 0)
                .description("1 while new tunnels are refused for limits.memory-watermark").tag("hop", hop)
                .strongReference(true).register(registry);
    }

    /** A's circuit breaker for the next hop: its state (0 closed, 1 open, 2 half-open: one probe under way). */
    public void nextHopCircuit(java.util.function.IntSupplier state) {
        Gauge.builder("privacy_proxy_next_hop_circuit_state", state, s -> s.getAsInt())
                .description("Next hop circuit breaker: 0 closed, 1 open, 2 half-open").tag("hop", hop)
                .strongReference(true).register(registry);
    }

    /** The breaker opened: the next hop failed too often, new tunnels get a fast 503 for a cool-down. */
    public void nextHopCircuitOpened() {
        Counter.builder("privacy_proxy_next_hop_circuit_opened").description("Next hop circuit breaker openings")
                .tag("hop", hop).register(registry).increment();
    }

    /** A configuration reload: {@code applied}, {@code refused}, {@code unchanged} (ConfigReloads). */
    public void configReload(String result) {
        Counter.builder("privacy_proxy_config_reloads").description("Configuration reloads, by result")
                .tags("hop", hop, "result", result).register(registry).increment();
    }

    public int activeTunnels() {
        return activeTunnels.get();
    }

    /** The registry, for meters of side services that share this admin port (the OHTTP relay and gateway). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
