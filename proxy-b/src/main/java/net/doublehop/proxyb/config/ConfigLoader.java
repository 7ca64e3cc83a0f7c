package net.doublehop.proxyb.config;

import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.config.YamlNodes;
import net.doublehop.runtime.store.StoreSettings;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.PrivacyPassConfig;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import static net.doublehop.runtime.config.YamlNodes.EMPTY;
import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.bool;
import static net.doublehop.runtime.config.YamlNodes.duration;
import static net.doublehop.runtime.config.YamlNodes.fraction;
import static net.doublehop.runtime.config.YamlNodes.integer;
import static net.doublehop.runtime.config.YamlNodes.object;
import static net.doublehop.runtime.config.YamlNodes.readable;
import static net.doublehop.runtime.config.YamlNodes.requiredText;
import static net.doublehop.runtime.config.YamlNodes.text;
import static net.doublehop.runtime.config.YamlNodes.textList;

import net.doublehop.geo.Cidr;
import net.doublehop.proxyb.egress.EgressPool;

/**
 * Reads the YAML config into {@link ProxyBConfig}. Mapping is written out by hand rather than
 * bound by reflection so that every key is validated once, here, with an error naming the key;
 * unknown keys are errors too (a typo must not silently fall back to a default).
 */
public final class ConfigLoader {

    /** Addresses one prefix may expand to; larger prefixes need free-bind support we do not have yet. */
    static final int MAX_ADDRESSES_PER_PREFIX = 256;

    private final Path baseDir;

    private ConfigLoader(Path baseDir) {
        this.baseDir = baseDir;
    }

    public static ProxyBConfig load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(yaml, dir);
    }

    public static ProxyBConfig parse(String yaml, Path baseDir) {
        JsonNode root = YamlNodes.parseRoot(yaml);
        try {
            return new ConfigLoader(baseDir).read(root);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private ProxyBConfig read(JsonNode root) {
        allowOnly(root, "", Set.of("listen", "proxy-name", "tls", "auth", "geohash", "egress", "destinations", "http3",
                "dns", "admin", "limits", "logging", "connect-udp", "ohttp-relay", "store", "tracing"));
        HostPort listen = HostPort.parse(requiredText(root, "listen"));
        String proxyName = YamlNodes.proxyName(root, "proxy-b");
        TlsSettings tls = YamlNodes.tls(root.get("tls"), this::path);
        AuthSettings auth = readAuth(root.get("auth"));
        if (auth.presharedKeys().isEmpty() && tls.clientCa().isEmpty() && auth.privacyPass().isEmpty()
                && !auth.allowUnauthenticated()) {
            throw new IllegalArgumentException("auth: configure auth.preshared-keys, auth.preshared-keys-file, "
                    + "auth.privacy-pass or tls.client-ca, or set auth.allow-unauthenticated: true explicitly");
        }
        GeohashSettings geohash = readGeohash(root.get("geohash"));

        JsonNode egress = object(root, "egress");
        allowOnly(egress, "egress.", Set.of("pools", "default-pool", "bind-check"));
        List<EgressPool> pools = readPools(egress.get("pools"));
        Optional<String> defaultPool = text(egress, "default-pool");
        defaultPool.ifPresent(name -> {
            if (pools.stream().noneMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException("egress.default-pool '" + name + "' is not a configured pool");
            }
        });
        boolean bindCheck = bool(egress, "bind-check", true);

        JsonNode destinations = object(root, "destinations");
        allowOnly(destinations, "destinations.", Set.of("allow"));
        List<Cidr> allow = new ArrayList<>();
        for (String s : textList(destinations, "allow", "destinations.allow")) {
            allow.add(Cidr.parse(s));
        }

        DnsSettings dns = readDns(root.get("dns"));
        Optional<HostPort> admin = text(root, "admin").map(HostPort::parse);
        Limits limits = readLimits(root.get("limits"));
        JsonNode logging = object(root, "logging");
        allowOnly(logging, "logging.", Set.of("log-sensitive-data"));
        boolean logSensitive = bool(logging, "log-sensitive-data", false);

        boolean http3 = bool(root, "http3", false);
        if (http3) {
            net.doublehop.runtime.listen.ListenerOptions.checkHttp3(tls, listen.port());
        }
        return new ProxyBConfig(listen, proxyName, tls, auth, geohash, pools, defaultPool, bindCheck, allow, dns,
                admin, limits, logSensitive, http3, YamlNodes.udpTemplate(root, listen),
                net.doublehop.proxyb.ohttp.RelayConfigReader.read(root.get("ohttp-relay"), this::path),
                StoreSettings.read(root, this::path), net.doublehop.runtime.trace.TracingSettings.read(root));
    }

    private AuthSettings readAuth(JsonNode node) {
        JsonNode auth = node == null ? EMPTY : node;
        allowOnly(auth, "auth.", Set.of("preshared-keys", "preshared-keys-file", "allow-unauthenticated",
                "privacy-pass"));
        List<String> keys = new ArrayList<>(textList(auth, "preshared-keys", "auth.preshared-keys"));
        Optional<Path> file = text(auth, "preshared-keys-file").map(this::path);
        if (file.isPresent()) {
            readable("auth.preshared-keys-file", file.get());
            try {
                for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                    String k = line.strip();
                    if (!k.isEmpty() && !k.startsWith("#")) {
                        keys.add(k);
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("auth.preshared-keys-file: cannot read: " + e.getMessage());
            }
        }
        for (String k : keys) {
            // Keys travel as an HTTP auth token68-ish value: refuse whitespace and controls up front.
            if (k.length() < 8 || !k.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new IllegalArgumentException("auth.preshared-keys: every key must be at least 8 visible "
                        + "ASCII characters without spaces");
            }
        }
        return new AuthSettings(keys, bool(auth, "allow-unauthenticated", false),
                PrivacyPassConfig.read(auth.get("privacy-pass"), "auth.privacy-pass.", this::path));
    }

    private GeohashSettings readGeohash(JsonNode node) {
        JsonNode g = node == null ? EMPTY : node;
        allowOnly(g, "geohash.", Set.of("trusted-signers", "require-signature", "max-precision", "max-clock-skew",
                "max-validity", "bind-nonce"));
        Optional<Path> signers = text(g, "trusted-signers").map(this::path);
        signers.ifPresent(p -> readable("geohash.trusted-signers", p));
        return new GeohashSettings(signers, bool(g, "require-signature", false), integer(g, "max-precision", 6),
                duration(g, "max-clock-skew", Duration.ofSeconds(30)),
                duration(g, "max-validity", Duration.ofHours(1)), bool(g, "bind-nonce", true));
    }

    private List<EgressPool> readPools(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("egress.pools: at least one pool is required");
        }
        List<EgressPool> pools = new ArrayList<>();
        int i = 0;
        for (JsonNode p : node) {
            String where = "egress.pools[" + i++ + "]";
            if (!p.isObject()) {
                throw new IllegalArgumentException(where + " must be a mapping");
            }
            allowOnly(p, where + ".", Set.of("name", "country", "geohash", "region", "city", "addresses"));
            List<InetAddress> addresses = new ArrayList<>();
            for (String a : textList(p, "addresses", where + ".addresses")) {
                try {
                    addresses.addAll(Cidr.parse(a).expand(MAX_ADDRESSES_PER_PREFIX));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(where + ".addresses: " + e.getMessage());
                }
            }
            try {
                pools.add(new EgressPool(requiredText(p, "name"), requiredText(p, "country"),
                        requiredText(p, "geohash"), text(p, "region"), text(p, "city"), addresses));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage());
            }
        }
        return pools;
    }

    private DnsSettings readDns(JsonNode node) {
        JsonNode d = node == null ? EMPTY : node;
        allowOnly(d, "dns.", Set.of("servers", "timeout", "hosts-file"));
        List<HostPort> servers = new ArrayList<>();
        for (String s : textList(d, "servers", "dns.servers")) {
            long colons = s.chars().filter(c -> c == ':').count();
            // "[v6]:port" and "v4:port" carry a port; a bare address (v4, or v6 with many colons) means port 53.
            servers.add(s.startsWith("[") || colons == 1 ? HostPort.parse(s) : new HostPort(s, 53));
        }
        // Resolved as every other file the config names, and checked now: Vert.x would read it only when the
        // resolver is made, and a relative name would be taken from the working directory.
        Optional<Path> hosts = text(d, "hosts-file").map(this::path);
        hosts.ifPresent(p -> readable("dns.hosts-file", p));
        return new DnsSettings(servers, duration(d, "timeout", Duration.ofSeconds(5)), hosts);
    }

    private Limits readLimits(JsonNode node) {
        JsonNode l = node == null ? EMPTY : node;
        allowOnly(l, "limits.", Set.of("max-header-size", "max-concurrent-streams", "max-tunnels-per-connection",
                "max-tunnels", "connect-timeout", "idle-timeout", "handshake-timeout", "shutdown-grace",
                "max-stream-resets-per-30s", "request-header-timeout", "memory-watermark"));
        Limits d = Limits.defaults();
        return new Limits(
                integer(l, "max-header-size", d.maxHeaderSize()),
                integer(l, "max-concurrent-streams", d.maxConcurrentStreams()),
                integer(l, "max-tunnels-per-connection", d.maxTunnelsPerConnection()),
                integer(l, "max-tunnels", d.maxTunnels()),
                duration(l, "connect-timeout", d.connectTimeout()),
                duration(l, "idle-timeout", d.idleTimeout()),
                duration(l, "handshake-timeout", d.handshakeTimeout()),
                duration(l, "shutdown-grace", d.shutdownGrace()),
                integer(l, "max-stream-resets-per-30s", d.maxStreamResetsPer30s()),
                duration(l, "request-header-timeout", d.requestHeaderTimeout()),
                fraction(l, "memory-watermark", d.memoryWatermark()));
    }

    // --- small typed accessors; each names the key in its error ---

    private Path path(String p) {
        Path path = Path.of(p);
        return path.isAbsolute() ? path : baseDir.resolve(path).normalize();
    }

}
