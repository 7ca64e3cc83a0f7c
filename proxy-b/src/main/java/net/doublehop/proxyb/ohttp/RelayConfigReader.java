package net.doublehop.proxyb.ohttp;

import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.duration;
import static net.doublehop.runtime.config.YamlNodes.readable;
import static net.doublehop.runtime.config.YamlNodes.requiredText;
import static net.doublehop.runtime.config.YamlNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.config.YamlNodes;

/** Reads an {@code ohttp-relay} section (docs/configuration.md); errors name the key. */
public final class RelayConfigReader {

    private RelayConfigReader() {
    }

    /** The section, or empty when {@code node} is absent (no relay). */
    public static Optional<RelayConfig> read(JsonNode node, Function<String, Path> paths) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        allowOnly(node, "ohttp-relay.", Set.of("listen", "tls", "routes", "gateway-trust", "connect-timeout",
                "gateway-timeout", "max-request-size", "max-response-size", "max-connections-per-gateway"));
        HostPort listen = HostPort.parse(requiredText(node, "listen"));
        TlsSettings tls = YamlNodes.tls(node.get("tls"), paths);
        if (tls.clientCa().isPresent()) {
            // a client certificate identifies the client: the relay must not even ask for one (RFC 9458 §6.2)
            throw new IllegalArgumentException("ohttp-relay.tls.client-ca: the relay never asks for client "
                    + "certificates, which would identify its clients");
        }
        JsonNode r = node.get("routes");
        if (r == null || !r.isArray() || r.isEmpty()) {
            throw new IllegalArgumentException("ohttp-relay.routes: a list of {path, gateway} is required");
        }
        List<RelayConfig.Route> routes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < r.size(); i++) {
            String where = "ohttp-relay.routes[" + i + "]";
            JsonNode e = r.get(i);
            allowOnly(e, where + ".", Set.of("path", "gateway"));
            String path = requiredText(e, "path");
            if (!path.startsWith("/") || path.contains("?") || path.contains("#") || path.contains(" ")
                    || path.contains("*") || path.contains(":")) {
                throw new IllegalArgumentException(where + ".path must be a plain path starting with /");
            }
            if (!seen.add(path)) {
                throw new IllegalArgumentException(where + ".path " + path + " is listed twice");
            }
            routes.add(new RelayConfig.Route(path, gatewayUrl(requiredText(e, "gateway"), where + ".gateway")));
        }
        Optional<Path> trust = text(node, "gateway-trust").map(paths);
        trust.ifPresent(p -> readable("ohttp-relay.gateway-trust", p));
        return Optional.of(new RelayConfig(listen, tls, routes, trust,
                duration(node, "connect-timeout", Duration.ofSeconds(10)),
                duration(node, "gateway-timeout", Duration.ofSeconds(30)),
                positive(node, "max-request-size", 64 * 1024), positive(node, "max-response-size", 8 * 1024 * 1024),
                positive(node, "max-connections-per-gateway", 32)));
    }

    private static URI gatewayUrl(String text, String where) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(where + " is not a URL: " + text);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(where + " must be an http(s)://host[:port]/path URL: " + text);
        }
        return uri;
    }

    private static int positive(JsonNode node, String key, int dflt) {
        return YamlNodes.positive(node, key, "ohttp-relay." + key, dflt);
    }
}
