package net.doublehop.proxya.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.PrivacyPassConfig;
import net.doublehop.runtime.config.TlsSettings;

/** Proxy A's whole configuration, validated once at load ({@link ProxyAConfigLoader}); every key in docs/configuration.md. */
public record ProxyAConfig(
        HostPort listen,
        String proxyName,
        TlsSettings tls,
        Users users,
        Geolocation geolocation,
        Signing signing,
        Upstream upstream,
        Optional<HostPort> admin,
        Limits limits,
        int maxTunnelsPerUser,
        int tunnelRatePerUser,
        boolean logSensitive,
        boolean http3,
        Optional<IssuerConfig> issuer,
        net.doublehop.protocol.masque.MasqueUriTemplate udpTemplate,
        Optional<net.doublehop.proxya.gateway.GatewayConfig> gateway,
        net.doublehop.runtime.store.StoreSettings store,
        Oblivious oblivious,
        net.doublehop.runtime.trace.TracingSettings tracing) {

    /** Which tunnels A serves: forward (A reads each destination), oblivious (only tunnels to B), or both. */
    public enum Mode { FORWARD, OBLIVIOUS, BOTH }

    /**
     * Oblivious mode (docs/request-flow.md, "Oblivious mode"): the Proxy B addresses a user may open a tunnel to
     * (CONNECT to their TCP port, CONNECT-UDP to their QUIC port), which A dials itself and relays blindly.
     *
     * @param targets each {@code host:port} exactly as clients name it; A dials that host (resolved by A) and port
     */
    public record Oblivious(Mode mode, List<ConnectTarget> targets) {
        public Oblivious {
            targets = List.copyOf(targets);
        }

        /** True when {@code target} is one of the configured Proxy B addresses (names compared without case). */
        public boolean isTarget(ConnectTarget target) {
            return targets.stream().anyMatch(t -> t.port() == target.port() && t.host().equalsIgnoreCase(target.host()));
        }
    }

    /**
     * Who may use the proxy: a bcrypt user file (HTTP Basic), pre-shared keys, tls.client-ca certificates, or
     * Privacy Pass tokens of a trusted issuer.
     */
    public record Users(Optional<Path> file, List<String> presharedKeys, Optional<PrivacyPassConfig> privacyPass) {
        public Users {
            presharedKeys = List.copyOf(presharedKeys);
        }

        @Override
        public String toString() {
            return "Users[file=" + file + ", presharedKeys=" + presharedKeys.size() + " keys, privacyPass="
                    + privacyPass.isPresent() + "]";
        }
    }

    /**
     * Client IP to location. {@code database} empty: the embedded demo table. A client with no location gets
     * {@code fallbackCountry} (+ {@code fallbackGeohash}) or, without one, no hint at all.
     */
    public record Geolocation(Optional<Path> database, int precision, Optional<String> fallbackCountry,
            Optional<String> fallbackGeohash) { }

    /** Geohash signing: {@code privateKey} empty = a key generated at start (development only). */
    public record Signing(Optional<Path> privateKey, String keyId, Duration validity) { }

    /**
     * {@code upstream.circuit-breaker}: after {@code failures} requests in a row failed to reach B (no connection,
     * no answer in time), new tunnels get a fast 503 for {@code coolDown}; then one request probes B (half-open) while
     * the others still get the fast 503, and its success closes the breaker. {@code failures} 0 turns it off.
     */
    public record CircuitBreaker(int failures, Duration coolDown) {
        public CircuitBreaker {
            if (failures < 0) {
                throw new IllegalArgumentException("upstream.circuit-breaker.failures must not be negative");
            }
            if (coolDown.isNegative() || coolDown.isZero()) {
                throw new IllegalArgumentException("upstream.circuit-breaker.cool-down must be positive");
            }
        }

        public static CircuitBreaker defaults() {
            return new CircuitBreaker(5, Duration.ofSeconds(1));
        }
    }

    /** Proxy B: address, credential, trust, pool size; {@code http3}: CONNECT to B over HTTP/3 instead of HTTP/2. */
    public record Upstream(String host, int port, Optional<String> presharedKey, Optional<Path> clientCertificate,
            Optional<Path> clientKey, Optional<Path> trust, boolean insecure, int maxConnections,
            Duration connectTimeout, boolean http3, net.doublehop.protocol.masque.MasqueUriTemplate udpTemplate,
            CircuitBreaker circuitBreaker) {

        @Override
        public String toString() {
            return "Upstream[" + host + ":" + port + ", presharedKey=" + (presharedKey.isPresent() ? "***" : "none")
                    + ", mtls=" + clientCertificate.isPresent() + ", insecure=" + insecure + ", protocol="
                    + (http3 ? "h3" : "h2") + "]";
        }
    }

    /**
     * The Privacy Pass issuer and attester (RFC 9578, token type 0x0002) on its own HTTPS listener, serving
     * the same users as the proxy. {@code keys} empty = one key generated at start (development only); the
     * order of {@code keys} is the directory's order of preference, so the first is the one clients use.
     */
    public record IssuerConfig(HostPort listen, String name, List<KeyFile> keys, int tokensPerUserPerHour,
            Duration directoryMaxAge) {
        public IssuerConfig {
            keys = List.copyOf(keys);
        }

        /** A PKCS#8 RSA private key file; {@code notBefore} is published in the directory and enforced. */
        public record KeyFile(Path file, Optional<Instant> notBefore) { }
    }
}
