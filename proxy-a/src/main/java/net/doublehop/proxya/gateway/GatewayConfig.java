package net.doublehop.proxya.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.TlsSettings;

/**
 * The Oblivious HTTP gateway's settings: the {@code gateway} section of Proxy A's config, or of the file
 * {@code proxy-a.jar gateway --config FILE} reads (docs/configuration.md, "Oblivious HTTP gateway").
 *
 * @param keys key files with their key identifiers; empty: one key generated at start (warned)
 * @param allowedTargets origins requests may go to; anything else gets an encapsulated 403
 * @param targetTrust PEM CA for https targets; empty: the JVM's trust store
 * @param egressAddress the local address connections to targets leave from; empty: the system's choice
 * @param replay the replay defence (RFC 9458 §6.5)
 * @param eventLoops instances of the gateway's listener, each on an event loop of its own, sharing the port
 */
public record GatewayConfig(
        HostPort listen,
        TlsSettings tls,
        String keysPath,
        String gatewayPath,
        List<KeyFile> keys,
        Duration keysMaxAge,
        List<TargetOrigin> allowedTargets,
        Optional<Path> targetTrust,
        Duration targetConnectTimeout,
        Duration targetTimeout,
        int maxRequestSize,
        int maxResponseSize,
        int maxConnectionsPerTarget,
        Optional<String> egressAddress,
        Replay replay,
        int eventLoops) {

    /** This configuration with {@code next} as its keys (what a reload applies). */
    public GatewayConfig withKeys(List<KeyFile> next) {
        return new GatewayConfig(listen, tls, keysPath, gatewayPath, next, keysMaxAge, allowedTargets, targetTrust,
                targetConnectTimeout, targetTimeout, maxRequestSize, maxResponseSize, maxConnectionsPerTarget,
                egressAddress, replay, eventLoops);
    }

    /**
     * The replay defence (RFC 9458 §6.5): a strike register of the {@code enc} of every request answered in
     * the last {@code window}, at most {@code maxEntries}; and, with {@code dateSkew}, the {@code Date} check
     * of §6.5.1 (a request whose {@code Date} is further than that from the gateway's clock is refused;
     * with {@code requireDate}, one without {@code Date} too).
     *
     * @param enabled false: neither register nor {@code Date} check
     */
    public record Replay(boolean enabled, Duration window, int maxEntries, Optional<Duration> dateSkew,
            boolean requireDate) {

        public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
        public static final int DEFAULT_MAX_ENTRIES = 500_000;

        public static Replay defaults() {
            return new Replay(true, DEFAULT_WINDOW, DEFAULT_MAX_ENTRIES, Optional.empty(), false);
        }
    }

    /** One key file and the key identifier its configuration carries (0-255, unique). */
    public record KeyFile(Path file, int keyId) { }

    public GatewayConfig {
        keys = List.copyOf(keys);
        allowedTargets = List.copyOf(allowedTargets);
    }
}
