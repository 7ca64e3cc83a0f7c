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
        Duration shutdownGrace) {

    public static Limits defaults() {
        return new Limits(8192, 1000, 1000, 10_000, Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    public Limits {
        positive("limits.max-header-size", maxHeaderSize);
        positive("limits.max-concurrent-streams", maxConcurrentStreams);
        positive("limits.max-tunnels-per-connection", maxTunnelsPerConnection);
        positive("limits.max-tunnels", maxTunnels);
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
