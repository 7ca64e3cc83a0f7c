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
        int maxStreamResetsPer30s,
        Duration requestHeaderTimeout,
        double memoryWatermark) {

    /**
     * Streams a client may reset before they were answered, on one HTTP/2 or HTTP/3 connection per 30 s, before it is
     * cut off (the Rapid Reset defence, CVE-2023-44487). Resets of answered tunnels are not counted: one A→B
     * connection carries many users' tunnels and resets one for every user who leaves mid-transfer. Those that
     * are counted still include A's users who leave while B dials, hence more than a browser's budget (200).
     */
    public static final int DEFAULT_MAX_STREAM_RESETS_PER_30S = 2000;

    /**
     * How long a client may take to deliver a complete request header section ({@code limits.request-header-timeout},
     * as nginx's {@code client_header_timeout} and HAProxy's {@code timeout http-request}): a client trickling one
     * header byte at a time keeps the idle timeout from ever firing, and would hold a connection for as long as it
     * likes without this bound.
     */
    public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The fraction of the heap or of Netty's direct memory in use above which new tunnels are refused (503) until it
     * drops ({@code limits.memory-watermark}): shedding before the heap is exhausted, as a full heap would fail every
     * tunnel, open ones included. 1 turns it off.
     */
    public static final double DEFAULT_MEMORY_WATERMARK = 0.9;

    public static Limits defaults() {
        return new Limits(8192, 1000, 1000, 10_000, Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofSeconds(10), Duration.ofSeconds(30), DEFAULT_MAX_STREAM_RESETS_PER_30S,
                DEFAULT_REQUEST_HEADER_TIMEOUT, DEFAULT_MEMORY_WATERMARK);
    }

    /** The bounds without a memory watermark of their own: the default one. */
    public Limits(int maxHeaderSize, int maxConcurrentStreams, int maxTunnelsPerConnection, int maxTunnels,
            Duration connectTimeout, Duration idleTimeout, Duration handshakeTimeout, Duration shutdownGrace,
            int maxStreamResetsPer30s, Duration requestHeaderTimeout) {
        this(maxHeaderSize, maxConcurrentStreams, maxTunnelsPerConnection, maxTunnels, connectTimeout, idleTimeout,
                handshakeTimeout, shutdownGrace, maxStreamResetsPer30s, requestHeaderTimeout, DEFAULT_MEMORY_WATERMARK);
    }

    /** The bounds without a request-header timeout of their own: the default one. */
    public Limits(int maxHeaderSize, int maxConcurrentStreams, int maxTunnelsPerConnection, int maxTunnels,
            Duration connectTimeout, Duration idleTimeout, Duration handshakeTimeout, Duration shutdownGrace,
            int maxStreamResetsPer30s) {
        this(maxHeaderSize, maxConcurrentStreams, maxTunnelsPerConnection, maxTunnels, connectTimeout, idleTimeout,
                handshakeTimeout, shutdownGrace, maxStreamResetsPer30s, DEFAULT_REQUEST_HEADER_TIMEOUT);
    }

    public Limits {
        positive("limits.max-header-size", maxHeaderSize);
        positive("limits.max-concurrent-streams", maxConcurrentStreams);
        positive("limits.max-tunnels-per-connection", maxTunnelsPerConnection);
        positive("limits.max-tunnels", maxTunnels);
        positive("limits.max-stream-resets-per-30s", maxStreamResetsPer30s);
        if (requestHeaderTimeout.isNegative() || requestHeaderTimeout.isZero()) {
            throw new IllegalArgumentException("limits.request-header-timeout must be positive");
        }
        if (!(memoryWatermark > 0 && memoryWatermark <= 1)) {
            throw new IllegalArgumentException("limits.memory-watermark must be a fraction in (0, 1]");
        }
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
