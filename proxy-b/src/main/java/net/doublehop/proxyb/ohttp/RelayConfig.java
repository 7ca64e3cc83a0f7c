package net.doublehop.proxyb.ohttp;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.TlsSettings;

/**
 * The Oblivious HTTP relay's settings: the {@code ohttp-relay} section of Proxy B's config
 * (docs/configuration.md, "Oblivious HTTP relay").
 *
 * @param routes each relay path and the one gateway URL its requests go to
 * @param gatewayTrust PEM CA for https gateways; empty: the JVM's trust store
 */
public record RelayConfig(
        HostPort listen,
        TlsSettings tls,
        List<Route> routes,
        Optional<Path> gatewayTrust,
        Duration connectTimeout,
        Duration gatewayTimeout,
        int maxRequestSize,
        int maxResponseSize,
        int maxConnectionsPerGateway) {

    /** A relay path and its gateway (RFC 9458 §6.2: each Oblivious Relay Resource maps to one gateway). */
    public record Route(String path, URI gateway) {

        public boolean tls() {
            return gateway.getScheme().equals("https");
        }

        public int port() {
            return gateway.getPort() > 0 ? gateway.getPort() : tls() ? 443 : 80;
        }

        /** Path and query of the gateway URL. */
        public String target() {
            String p = gateway.getRawPath() == null || gateway.getRawPath().isEmpty() ? "/" : gateway.getRawPath();
            return gateway.getRawQuery() == null ? p : p + "?" + gateway.getRawQuery();
        }
    }

    public RelayConfig {
        routes = List.copyOf(routes);
    }
}
