package net.doublehop.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed accessors over a parsed YAML tree for the config loaders of both proxies. Each names the key in
 * its error, so a bad config says exactly what to fix. Errors are {@link IllegalArgumentException}s that
 * the loaders turn into {@link ConfigException}s.
 */
public final class YamlNodes {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    /** An empty mapping node, so optional sections read like present-but-empty ones. */
    public static final JsonNode EMPTY = new ObjectMapper().createObjectNode();

    private YamlNodes() {
    }

    /** Parses a config text into its root mapping, or a {@link ConfigException} saying what is wrong. */
    public static JsonNode parseRoot(String yaml) {
        JsonNode root;
        try {
            // A key written twice is a mistake (which one did the operator mean?), not a silent override.
            root = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException("config is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("config must be a YAML mapping");
        }
        return root;
    }

    /**
     * The {@code tls} section both proxies share: omitted = self-signed, the word {@code none} = cleartext,
     * else {@code certificate} + {@code private-key} and an optional {@code client-ca}.
     */
    public static TlsSettings tls(JsonNode node, java.util.function.Function<String, Path> paths) {
        if (node == null || node.isNull()) {
            return new TlsSettings(TlsSettings.Mode.SELF_SIGNED, Optional.empty(), Optional.empty(), Optional.empty());
        }
        if (node.isTextual()) {
            if (node.asText().equals("none")) {
                return TlsSettings.none();
            }
            throw new IllegalArgumentException("tls must be a mapping or the word 'none'");
        }
        allowOnly(node, "tls.", Set.of("certificate", "private-key", "client-ca"));
        Optional<Path> cert = text(node, "certificate").map(paths);
        Optional<Path> key = text(node, "private-key").map(paths);
        Optional<Path> ca = text(node, "client-ca").map(paths);
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("tls.certificate and tls.private-key go together");
        }
        cert.ifPresent(p -> readable("tls.certificate", p));
        key.ifPresent(p -> readable("tls.private-key", p));
        ca.ifPresent(p -> readable("tls.client-ca", p));
        return new TlsSettings(cert.isPresent() ? TlsSettings.Mode.FILES : TlsSettings.Mode.SELF_SIGNED, cert, key, ca);
    }

    /**
     * {@code proxy-name}, or {@code dflt}: the name in this proxy's {@code Proxy-Status} entries, which must be an
     * RFC 8941 token (RFC 9209 §2), so a name that is not one would make every answer malformed.
     */
    public static String proxyName(JsonNode root, String dflt) {
        String name = text(root, "proxy-name").orElse(dflt);
        if (!name.matches("[a-zA-Z*][a-zA-Z0-9_.:/%*!#$&'+^`|~-]*")) {
            throw new IllegalArgumentException("proxy-name must be an RFC 8941 token");
        }
        return name;
    }

    /** An integer of at least 1, or {@code dflt}; the error names {@code where}. */
    public static int positive(JsonNode node, String key, String where, int dflt) {
        int v = integer(node, key, dflt);
        if (v < 1) {
            throw new IllegalArgumentException(where + " must be at least 1");
        }
        return v;
    }

    public static void readable(String key, Path p) {
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(key + ": cannot read " + p);
        }
    }

    public static void allowOnly(JsonNode node, String prefix, Set<String> keys) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException((prefix.isEmpty() ? "config" : prefix.substring(0, prefix.length() - 1))
                    + " must be a mapping");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                throw new IllegalArgumentException("unknown config key '" + prefix + k + "' (known: "
                        + String.join(", ", keys.stream().sorted().toList()) + ")");
            }
        }
    }

    public static JsonNode object(JsonNode parent, String key) {
        JsonNode n = parent.get(key);
        return n == null || n.isNull() ? EMPTY : n;
    }

    public static String requiredText(JsonNode node, String key) {
        return text(node, key).orElseThrow(() -> new IllegalArgumentException("missing required key '" + key + "'"));
    }

    public static Optional<String> text(JsonNode node, String key) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isValueNode() || n.isBoolean()) {
            throw new IllegalArgumentException("'" + key + "' must be a string");
        }
        String s = n.asText().strip();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    public static List<String> textList(JsonNode node, String key, String where) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(where + " must be a list");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isValueNode() || e.isNull()) {
                throw new IllegalArgumentException(where + " entries must be strings");
            }
            out.add(e.asText().strip());
        }
        return out;
    }

    public static boolean bool(JsonNode node, String key, boolean dflt) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new IllegalArgumentException("'" + key + "' must be true or false");
        }
        return n.booleanValue();
    }

    public static int integer(JsonNode node, String key, int dflt) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new IllegalArgumentException("'" + key + "' must be an integer");
        }
        return n.intValue();
    }

    /** A number such as {@code 0.9} (a fraction, a ratio); range checks are the config record's. */
    public static double fraction(JsonNode node, String key, double dflt) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new IllegalArgumentException("'" + key + "' must be a number");
        }
        return n.doubleValue();
    }

    /** Durations are written {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}; a bare number means seconds. */
    /**
     * The listener's CONNECT-UDP URI template (RFC 9298 §2): {@code connect-udp.uri-template}, or the default
     * {@code https://HOST:PORT/.well-known/masque/udp/{target_host}/{target_port}/} on the listen address.
     */
    public static net.doublehop.protocol.masque.MasqueUriTemplate udpTemplate(JsonNode root, HostPort listen) {
        JsonNode udp = object(root, "connect-udp");
        allowOnly(udp, "connect-udp.", Set.of("uri-template"));
        return text(udp, "uri-template").map(YamlNodes::parseUdpTemplate).orElseGet(() ->
                net.doublehop.protocol.masque.MasqueUriTemplate.defaultFor(listen.host(), Math.max(1, listen.port())));
    }

    /** A configured URI template; what is wrong with a bad one is the message. */
    public static net.doublehop.protocol.masque.MasqueUriTemplate parseUdpTemplate(String template) {
        try {
            return net.doublehop.protocol.masque.MasqueUriTemplate.parse(template);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connect-udp URI template: " + e.getMessage(), e);
        }
    }

    public static Duration duration(JsonNode node, String key, Duration dflt) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        Matcher m = DURATION.matcher(n.asText().strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + key + "' must be a duration such as 500ms, 30s, 5m or 1h");
        }
        long v = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(v);
            case "m" -> Duration.ofMinutes(v);
            case "h" -> Duration.ofHours(v);
            default -> Duration.ofSeconds(v);
        };
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + key + "' must be greater than zero");
        }
        return d;
    }
}
