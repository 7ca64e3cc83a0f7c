package net.doublehop.proxya.config;

import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.bool;
import static net.doublehop.runtime.config.YamlNodes.duration;
import static net.doublehop.runtime.config.YamlNodes.fraction;
import static net.doublehop.runtime.config.YamlNodes.integer;
import static net.doublehop.runtime.config.YamlNodes.object;
import static net.doublehop.runtime.config.YamlNodes.positive;
import static net.doublehop.runtime.config.YamlNodes.readable;
import static net.doublehop.runtime.config.YamlNodes.requiredText;
import static net.doublehop.runtime.config.YamlNodes.text;
import static net.doublehop.runtime.config.YamlNodes.textList;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.doublehop.geo.Geohash;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.PrivacyPassConfig;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.config.YamlNodes;

/** Reads Proxy A's YAML config; every key validated here, unknown keys refused. */
public final class ProxyAConfigLoader {

    private final Path baseDir;

    private ProxyAConfigLoader(Path baseDir) {
        this.baseDir = baseDir;
    }

    public static ProxyAConfig load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    public static ProxyAConfig parse(String yaml, Path baseDir) {
        JsonNode root = YamlNodes.parseRoot(yaml);
        try {
            return new ProxyAConfigLoader(baseDir).read(root);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private ProxyAConfig read(JsonNode root) {
        allowOnly(root, "", Set.of("listen", "proxy-name", "tls", "users", "geolocation", "signing", "upstream",
                "admin", "limits", "logging", "http3", "issuer", "connect-udp", "gateway", "store", "mode",
                "oblivious", "tracing"));
        HostPort listen = HostPort.parse(requiredText(root, "listen"));
        String name = YamlNodes.proxyName(root, "proxy-a");
        TlsSettings tls = YamlNodes.tls(root.get("tls"), this::path);

        JsonNode u = object(root, "users");
        allowOnly(u, "users.", Set.of("file", "preshared-keys", "privacy-pass"));
        Optional<Path> usersFile = text(u, "file").map(this::path);
        usersFile.ifPresent(p -> readable("users.file", p));
        ProxyAConfig.Users users = new ProxyAConfig.Users(usersFile, textList(u, "preshared-keys", "users.preshared-keys"),
                PrivacyPassConfig.read(u.get("privacy-pass"), "users.privacy-pass.", this::path));
        if (usersFile.isEmpty() && users.presharedKeys().isEmpty() && tls.clientCa().isEmpty()
                && users.privacyPass().isEmpty()) {
            throw new IllegalArgumentException("users: configure users.file, users.preshared-keys, users.privacy-pass "
                    + "or tls.client-ca");
        }

        JsonNode g = object(root, "geolocation");
        allowOnly(g, "geolocation.", Set.of("database", "precision", "fallback-country", "fallback-geohash"));
        Optional<Path> db = text(g, "database").map(this::path);
        db.ifPresent(p -> readable("geolocation.database", p));
        int precision = integer(g, "precision", 5);
        if (precision < 1 || precision > 12) {
            throw new IllegalArgumentException("geolocation.precision must be 1..12");
        }
        Optional<String> fbCountry = text(g, "fallback-country");
        fbCountry.ifPresent(c -> {
            if (!c.matches("[A-Z]{2}")) {
                throw new IllegalArgumentException("geolocation.fallback-country must be an ISO 3166-1 alpha-2 code");
            }
        });
        Optional<String> fbGeohash = text(g, "fallback-geohash");
        fbGeohash.ifPresent(h -> {
            if (!Geohash.isValid(h)) {
                throw new IllegalArgumentException("geolocation.fallback-geohash must be a geohash");
            }
        });
        if (fbCountry.isPresent() != fbGeohash.isPresent()) {
            // sec-ch-geohash always carries a geohash, so a country alone cannot be sent: a coarse cell does it.
            throw new IllegalArgumentException("geolocation.fallback-country and fallback-geohash go together "
                    + "(for a country-wide fallback use a coarse cell, e.g. the capital's at precision 2)");
        }

        JsonNode s = object(root, "signing");
        allowOnly(s, "signing.", Set.of("private-key", "key-id", "validity"));
        Optional<Path> key = text(s, "private-key").map(this::path);
        key.ifPresent(p -> readable("signing.private-key", p));
        ProxyAConfig.Signing signing = new ProxyAConfig.Signing(key, text(s, "key-id").orElse("proxy-a-1"),
                duration(s, "validity", Duration.ofMinutes(5)));

        JsonNode up = root.get("upstream");
        if (up == null || !up.isObject()) {
            throw new IllegalArgumentException("missing required key 'upstream' (Proxy B's url and credential)");
        }
        allowOnly(up, "upstream.", Set.of("url", "preshared-key", "client-certificate", "client-key", "trust",
                "insecure", "max-connections", "connect-timeout", "protocol", "connect-udp-template", "circuit-breaker"));
        URI url = URI.create(requiredText(up, "url"));
        if (!"https".equals(url.getScheme()) || url.getHost() == null || url.getPort() < 1) {
            throw new IllegalArgumentException("upstream.url must be https://host:port");
        }
        Optional<Path> cert = text(up, "client-certificate").map(this::path);
        Optional<Path> ckey = text(up, "client-key").map(this::path);
        if (cert.isPresent() != ckey.isPresent()) {
            throw new IllegalArgumentException("upstream.client-certificate and upstream.client-key go together");
        }
        cert.ifPresent(p -> readable("upstream.client-certificate", p));
        ckey.ifPresent(p -> readable("upstream.client-key", p));
        Optional<Path> trust = text(up, "trust").map(this::path);
        trust.ifPresent(p -> readable("upstream.trust", p));
        boolean insecure = bool(up, "insecure", false);
        if (trust.isEmpty() && !insecure) {
            throw new IllegalArgumentException("upstream: set upstream.trust (Proxy B's CA) or upstream.insecure: true");
        }
        String host = url.getHost().startsWith("[") ? url.getHost().substring(1, url.getHost().length() - 1) : url.getHost();
        ProxyAConfig.Upstream upstream = new ProxyAConfig.Upstream(host, url.getPort(), text(up, "preshared-key"),
                cert, ckey, trust, insecure, positive(up, "max-connections", "upstream.max-connections", 4),
                duration(up, "connect-timeout", Duration.ofSeconds(10)), upstreamProtocol(up),
                // B's CONNECT-UDP URI template (RFC 9298 §2): its default on B's address unless B publishes another
                text(up, "connect-udp-template").map(YamlNodes::parseUdpTemplate)
                        .orElseGet(() -> net.doublehop.protocol.masque.MasqueUriTemplate.defaultFor(host, url.getPort())),
                circuitBreaker(object(up, "circuit-breaker")));

        Optional<HostPort> admin = text(root, "admin").map(HostPort::parse);
        JsonNode l = object(root, "limits");
        allowOnly(l, "limits.", Set.of("max-header-size", "max-concurrent-streams", "max-tunnels-per-connection",
                "max-tunnels", "max-tunnels-per-user", "tunnels-per-second-per-user", "idle-timeout", "handshake-timeout", "shutdown-grace",
                "max-stream-resets-per-30s", "request-header-timeout", "memory-watermark"));
        Limits d = Limits.defaults();
        Limits limits = new Limits(integer(l, "max-header-size", d.maxHeaderSize()),
                integer(l, "max-concurrent-streams", d.maxConcurrentStreams()),
                integer(l, "max-tunnels-per-connection", d.maxTunnelsPerConnection()),
                integer(l, "max-tunnels", d.maxTunnels()), upstream.connectTimeout(),
                duration(l, "idle-timeout", d.idleTimeout()), duration(l, "handshake-timeout", d.handshakeTimeout()),
                duration(l, "shutdown-grace", d.shutdownGrace()),
                integer(l, "max-stream-resets-per-30s", d.maxStreamResetsPer30s()),
                duration(l, "request-header-timeout", d.requestHeaderTimeout()),
                fraction(l, "memory-watermark", d.memoryWatermark()));
        int perUser = positive(l, "max-tunnels-per-user", "limits.max-tunnels-per-user", 256);
        int perUserRate = positive(l, "tunnels-per-second-per-user", "limits.tunnels-per-second-per-user", 50);
        JsonNode logging = object(root, "logging");
        allowOnly(logging, "logging.", Set.of("log-sensitive-data"));
        boolean http3 = bool(root, "http3", false);
        if (http3) {
            net.doublehop.runtime.listen.ListenerOptions.checkHttp3(tls, listen.port());
        }
        return new ProxyAConfig(listen, name, tls, users,
                new ProxyAConfig.Geolocation(db, precision, fbCountry, fbGeohash), signing, upstream, admin, limits,
                perUser, perUserRate, bool(logging, "log-sensitive-data", false),
                http3, issuer(root.get("issuer"), listen), YamlNodes.udpTemplate(root, listen),
                net.doublehop.proxya.gateway.GatewayConfigReader.read(root.get("gateway"), this::path),
                net.doublehop.runtime.store.StoreSettings.read(root, this::path),
                oblivious(root, upstream), net.doublehop.runtime.trace.TracingSettings.read(root));
    }

    /**
     * {@code mode} and {@code oblivious.targets}: without targets, A's own upstream (the B it forwards to) is the one
     * B a user may reach obliviously.
     */
    private static ProxyAConfig.Oblivious oblivious(JsonNode root, ProxyAConfig.Upstream upstream) {
        String m = text(root, "mode").orElse("forward");
        ProxyAConfig.Mode mode = switch (m) {
            case "forward" -> ProxyAConfig.Mode.FORWARD;
            case "oblivious" -> ProxyAConfig.Mode.OBLIVIOUS;
            case "both" -> ProxyAConfig.Mode.BOTH;
            default -> throw new IllegalArgumentException("mode must be forward, oblivious or both, not '" + m + "'");
        };
        JsonNode o = object(root, "oblivious");
        allowOnly(o, "oblivious.", Set.of("targets"));
        List<String> listed = textList(o, "targets", "oblivious.targets");
        List<ConnectTarget> targets = new ArrayList<>();
        for (String t : listed) {
            try {
                targets.add(ConnectTarget.parse(t));
            } catch (ProxyFailure e) {
                throw new IllegalArgumentException("oblivious.targets: '" + t + "' is not host:port");
            }
        }
        if (targets.isEmpty()) {
            targets.add(new ConnectTarget(upstream.host(), upstream.port()));
        }
        return new ProxyAConfig.Oblivious(mode, targets);
    }

    private static ProxyAConfig.CircuitBreaker circuitBreaker(JsonNode cb) {
        allowOnly(cb, "upstream.circuit-breaker.", Set.of("failures", "cool-down"));
        ProxyAConfig.CircuitBreaker d = ProxyAConfig.CircuitBreaker.defaults();
        return new ProxyAConfig.CircuitBreaker(integer(cb, "failures", d.failures()),
                duration(cb, "cool-down", d.coolDown()));
    }

    private static boolean upstreamProtocol(JsonNode up) {
        String p = text(up, "protocol").orElse("h2");
        return switch (p) {
            case "h2" -> false;
            case "h3" -> true;
            default -> throw new IllegalArgumentException("upstream.protocol: h2 or h3, not '" + p + "'");
        };
    }

    /** The optional {@code issuer} section (docs/configuration.md): absent = no issuer. */
    private Optional<ProxyAConfig.IssuerConfig> issuer(JsonNode node, HostPort proxyListen) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        allowOnly(node, "issuer.", Set.of("listen", "name", "keys", "tokens-per-user-per-hour", "directory-max-age"));
        if (text(node, "listen").isEmpty()) {
            throw new IllegalArgumentException("issuer.listen is required (host:port of the issuer's HTTPS listener); "
                    + "leave out the whole issuer section to run without an issuer");
        }
        HostPort listen = HostPort.parse(requiredText(node, "listen"));
        if (listen.port() != 0 && listen.equals(proxyListen)) {
            throw new IllegalArgumentException("issuer.listen must differ from listen (" + listen + ")");
        }
        String name = text(node, "name").orElseThrow(() -> new IllegalArgumentException(
                "issuer.name is required: the issuer_name origins put in their TokenChallenges "
                        + "(usually the host name clients reach the issuer at)"));
        if (name.length() > 255 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ',')) {
            throw new IllegalArgumentException("issuer.name must be printable ASCII without spaces or commas "
                    + "(a host name, RFC 9577 §2.1.1.1)");
        }
        List<ProxyAConfig.IssuerConfig.KeyFile> keys = new ArrayList<>();
        JsonNode k = node.get("keys");
        if (k != null && !k.isNull()) {
            if (!k.isArray()) {
                throw new IllegalArgumentException("issuer.keys must be a list of key files");
            }
            for (int i = 0; i < k.size(); i++) {
                keys.add(issuerKey(k.get(i), "issuer.keys[" + i + "]"));
            }
        }
        int perHour = integer(node, "tokens-per-user-per-hour", 100);
        if (perHour < 1) {
            throw new IllegalArgumentException("issuer.tokens-per-user-per-hour must be at least 1");
        }
        return Optional.of(new ProxyAConfig.IssuerConfig(listen, name, keys, perHour,
                duration(node, "directory-max-age", Duration.ofHours(1))));
    }

    /** A key entry: a file name, or {@code {file: NAME, not-before: 2026-12-01T00:00:00Z}}. */
    private ProxyAConfig.IssuerConfig.KeyFile issuerKey(JsonNode e, String where) {
        if (e.isTextual()) {
            Path p = path(e.asText().strip());
            readable(where, p);
            return new ProxyAConfig.IssuerConfig.KeyFile(p, Optional.empty());
        }
        if (!e.isObject()) {
            throw new IllegalArgumentException(where + " must be a file name or {file: NAME, not-before: TIME}");
        }
        allowOnly(e, where + ".", Set.of("file", "not-before"));
        Path p = path(requiredText(e, "file"));
        readable(where + ".file", p);
        Optional<Instant> notBefore = Optional.empty();
        JsonNode nb = e.get("not-before");
        if (nb != null && !nb.isNull()) {
            try {
                notBefore = Optional.of(nb.isIntegralNumber() ? Instant.ofEpochSecond(nb.longValue())
                        : Instant.parse(nb.asText().strip()));
            } catch (java.time.format.DateTimeParseException ex) {
                throw new IllegalArgumentException(where + ".not-before must be a UTC time such as "
                        + "2026-12-01T00:00:00Z or seconds since 1970");
            }
        }
        return new ProxyAConfig.IssuerConfig.KeyFile(p, notBefore);
    }

    private Path path(String p) {
        Path path = Path.of(p);
        return path.isAbsolute() ? path : baseDir.resolve(path).normalize();
    }
}
