package net.doublehop.runtime.config;

import java.time.Duration;

/** Resource bounds. Every one has a default so an operator only sets what they mean to change. */
public record Limits(
        int maxHeaderSize,
        int maxConcurrentStreams,
        int maxTunnelsPerConnection,
        int maxTunnels,
        Duration connectTimeout,
        Duration idleTimeout,
        Duration handshakeTimeout,
        Duration shutdownGrace,
        int maxStreamResetsPer30s) {

    /**
     * Streams a client may reset before they were answered, on one HTTP/2 or HTTP/3 connection per 30 s, before it is
     * cut off (the Rapid Reset defence, CVE-2023-44487). Resets of answered tunnels are not counted: one A→B
     * connection carries many users' tunnels and resets one for every user who leaves mid-transfer. Those that
     * are counted still include A's users who leave while B dials, hence more than a browser's budget (200).
     */
    public static final int DEFAULT_MAX_STREAM_RESETS_PER_30S = 2000;

    public static Limits defaults() {
        return new Limits(8192, 1000, 1000, 10_000, Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofSeconds(10), Duration.ofSeconds(30), DEFAULT_MAX_STREAM_RESETS_PER_30S);
    }

    public Limits {
        positive("limits.max-header-size", maxHeaderSize);
        positive("limits.max-concurrent-streams", maxConcurrentStreams);
        positive("limits.max-tunnels-per-connection", maxTunnelsPerConnection);
        positive("limits.max-tunnels", maxTunnels);
        positive("limits.max-stream-resets-per-30s", maxStreamResetsPer30s);
        if (maxHeaderSize < 1024) {
            throw new IllegalArgumentException("limits.max-header-size must be at least 1024");
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive");
        }
    }
}
