package net.doublehop.proxya.gateway;

import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.duration;
import static net.doublehop.runtime.config.YamlNodes.integer;
import static net.doublehop.runtime.config.YamlNodes.readable;
import static net.doublehop.runtime.config.YamlNodes.requiredText;
import static net.doublehop.runtime.config.YamlNodes.text;
import static net.doublehop.runtime.config.YamlNodes.textList;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.YamlNodes;

/** Reads a {@code gateway} section (docs/configuration.md); errors name the key, as IllegalArgumentException. */
public final class GatewayConfigReader {

    static final Set<String> KEYS = Set.of("listen", "tls", "keys-path", "gateway-path", "keys", "keys-max-age",
            "allowed-targets", "target-trust", "target-connect-timeout", "target-timeout", "max-request-size",
            "max-response-size", "max-connections-per-target", "egress-address", "replay", "event-loops");

    private GatewayConfigReader() {
    }

    /** The section, or empty when {@code node} is absent (no gateway). */
    public static Optional<GatewayConfig> read(JsonNode node, Function<String, Path> paths) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        allowOnly(node, "gateway.", KEYS);
        HostPort listen = HostPort.parse(requiredText(node, "listen"));
        String keysPath = path(node, "keys-path", "/ohttp-keys");
        String gatewayPath = path(node, "gateway-path", "/gateway");
        if (keysPath.equals(gatewayPath)) {
            throw new IllegalArgumentException("gateway.keys-path and gateway.gateway-path must differ");
        }
        List<GatewayConfig.KeyFile> keys = new ArrayList<>();
        JsonNode k = node.get("keys");
        if (k != null && !k.isNull()) {
            if (!k.isArray()) {
                throw new IllegalArgumentException("gateway.keys must be a list of {file, key-id}");
            }
            Set<Integer> ids = new HashSet<>();
            for (int i = 0; i < k.size(); i++) {
                String where = "gateway.keys[" + i + "]";
                JsonNode e = k.get(i);
                allowOnly(e, where + ".", Set.of("file", "key-id"));
                Path file = paths.apply(requiredText(e, "file"));
                readable(where + ".file", file);
                int id = integer(e, "key-id", -1);
                if (id < 0 || id > 255) {
                    throw new IllegalArgumentException(where + ".key-id is required, 0-255");
                }
                if (!ids.add(id)) {
                    throw new IllegalArgumentException(where + ".key-id " + id + " is used twice");
                }
                keys.add(new GatewayConfig.KeyFile(file, id));
            }
        }
        List<TargetOrigin> targets = new ArrayList<>();
        for (String t : textList(node, "allowed-targets", "gateway.allowed-targets")) {
            try {
                targets.add(TargetOrigin.parse(t));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("gateway.allowed-targets: " + e.getMessage());
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("gateway.allowed-targets: list the origins requests may reach "
                    + "(e.g. https://api.example.com); the gateway forwards nowhere else");
        }
        Optional<Path> trust = text(node, "target-trust").map(paths);
        trust.ifPresent(p -> readable("gateway.target-trust", p));
        int maxRequest = positive(node, "max-request-size", 64 * 1024);
        int maxResponse = positive(node, "max-response-size", 8 * 1024 * 1024);
        int maxConnections = positive(node, "max-connections-per-target", 32);
        Optional<String> egress = text(node, "egress-address");
        egress.ifPresent(a -> {
            if (!io.netty.util.NetUtil.isValidIpV4Address(a) && !io.netty.util.NetUtil.isValidIpV6Address(a)) {
                throw new IllegalArgumentException("gateway.egress-address must be an IP address literal");
            }
        });
        return Optional.of(new GatewayConfig(listen, YamlNodes.tls(node.get("tls"), paths), keysPath, gatewayPath,
                keys, duration(node, "keys-max-age", Duration.ofHours(1)), targets, trust,
                duration(node, "target-connect-timeout", Duration.ofSeconds(10)),
                duration(node, "target-timeout", Duration.ofSeconds(30)), maxRequest, maxResponse, maxConnections,
                egress, replay(node.get("replay")),
                positive(node, "event-loops", Math.max(1, Runtime.getRuntime().availableProcessors()))));
    }

    /** {@code gateway.replay}: RFC 9458 §6.5's register and, optionally, its {@code Date} check. */
    static GatewayConfig.Replay replay(JsonNode node) {
        if (node == null || node.isNull()) {
            return GatewayConfig.Replay.defaults();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("gateway.replay must be a map (enabled, window, max-entries, "
                    + "date-skew, require-date)");
        }
        allowOnly(node, "gateway.replay.", Set.of("enabled", "window", "max-entries", "date-skew", "require-date"));
        boolean enabled = YamlNodes.bool(node, "enabled", true);
        Duration window = duration(node, "window", GatewayConfig.Replay.DEFAULT_WINDOW);
        int maxEntries = integer(node, "max-entries", GatewayConfig.Replay.DEFAULT_MAX_ENTRIES);
        if (maxEntries < 1) {
            throw new IllegalArgumentException("gateway.replay.max-entries must be at least 1");
        }
        Optional<Duration> skew = node.hasNonNull("date-skew")
                ? Optional.of(duration(node, "date-skew", null)) : Optional.empty();
        boolean requireDate = YamlNodes.bool(node, "require-date", false);
        if (requireDate && skew.isEmpty()) {
            throw new IllegalArgumentException("gateway.replay.require-date needs gateway.replay.date-skew");
        }
        // A request answered at t carries a Date in [t - skew, t + skew]; its replay's Date is accepted until
        // Date + skew <= t + 2 skew, so the register must remember it that long for the two checks to close
        // the gap between them
        if (skew.isPresent() && window.compareTo(skew.get().multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("gateway.replay.window (" + window.toSeconds()
                    + "s) must be at least twice gateway.replay.date-skew, or a request could be replayed after "
                    + "the register forgot it while its Date is still accepted");
        }
        return new GatewayConfig.Replay(enabled, window, maxEntries, skew, requireDate);
    }

    private static String path(JsonNode node, String key, String dflt) {
        String p = text(node, key).orElse(dflt);
        if (!p.startsWith("/") || p.contains("?") || p.contains("#") || p.contains(" ")) {
            throw new IllegalArgumentException("gateway." + key + " must be a path starting with /");
        }
        return p;
    }

    private static int positive(JsonNode node, String key, int dflt) {
        return YamlNodes.positive(node, key, "gateway." + key, dflt);
    }
}
