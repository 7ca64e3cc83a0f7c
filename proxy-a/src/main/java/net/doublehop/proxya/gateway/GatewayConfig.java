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
        Optional<String> egressAddress) {

    /** One key file and the key identifier its configuration carries (0-255, unique). */
    public record KeyFile(Path file, int keyId) { }

    public GatewayConfig {
        keys = List.copyOf(keys);
        allowedTargets = List.copyOf(allowedTargets);
    }
}
