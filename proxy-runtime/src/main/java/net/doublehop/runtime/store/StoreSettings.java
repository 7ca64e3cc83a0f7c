package net.doublehop.runtime.store;

import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.duration;
import static net.doublehop.runtime.config.YamlNodes.readable;
import static net.doublehop.runtime.config.YamlNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code store} section, the same for both proxies: where state that several instances of a proxy must
 * share lives (spent Privacy Pass tokens; at A also per-user tunnel limits and token issuance limits).
 * <pre>
 * store:
 *   redis: redis://10.0.0.5:6379   # omitted: each process keeps its own state in memory (one instance)
 *   password-file: redis.pass      # optional: Redis AUTH password, one line
 *   key-prefix: doublehop          # optional: prefix of every key this proxy writes
 *   timeout: 1s                    # optional: bound on one store operation
 *   connect-timeout: 250ms         # optional: bound on opening a connection to Redis (at most timeout)
 * </pre>
 *
 * @param redis the Redis URI ({@code redis://host:port[/db]} or {@code rediss://} for TLS), empty for in-memory
 */
public record StoreSettings(Optional<String> redis, Optional<String> password, String keyPrefix, Duration timeout,
        Duration connectTimeout) {

    /** The default {@code connect-timeout}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(250);

    public StoreSettings(Optional<String> redis, Optional<String> password, String keyPrefix, Duration timeout) {
        this(redis, password, keyPrefix, timeout, DEFAULT_CONNECT_TIMEOUT);
    }

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /** Nothing shared: the in-memory stores of one process. */
    public static final StoreSettings IN_MEMORY = new StoreSettings(Optional.empty(), Optional.empty(), "doublehop",
            Duration.ofSeconds(1));

    public StoreSettings {
        if (!PREFIX.matcher(keyPrefix).matches()) {
            throw new IllegalArgumentException("store.key-prefix: 1-64 characters of A-Z a-z 0-9 _ . -");
        }
    }

    public boolean shared() {
        return redis.isPresent();
    }

    /** Reads {@code store} from the config root; absent means {@link #IN_MEMORY}. */
    public static StoreSettings read(JsonNode root, Function<String, Path> paths) {
        JsonNode node = root.get("store");
        if (node == null || node.isNull()) {
            return IN_MEMORY;
        }
        allowOnly(node, "store.", Set.of("redis", "password-file", "key-prefix", "timeout", "connect-timeout"));
        Optional<String> redis = text(node, "redis").map(StoreSettings::checkUri);
        Optional<String> password = text(node, "password-file").map(f -> {
            Path p = paths.apply(f);
            readable("store.password-file", p);
            try {
                String s = Files.readString(p, StandardCharsets.UTF_8).strip();
                if (s.isEmpty() || s.contains("\n")) {
                    throw new IllegalArgumentException("store.password-file: " + p + " must hold one non-empty line");
                }
                return s;
            } catch (IOException e) {
                throw new IllegalArgumentException("store.password-file: cannot read " + p);
            }
        });
        if (redis.isEmpty() && (password.isPresent() || node.has("key-prefix") || node.has("timeout")
                || node.has("connect-timeout"))) {
            throw new IllegalArgumentException("store: password-file, key-prefix, timeout and connect-timeout need "
                    + "store.redis");
        }
        String prefix = text(node, "key-prefix").orElse(IN_MEMORY.keyPrefix());
        Duration timeout;
        try {
            timeout = duration(node, "timeout", IN_MEMORY.timeout());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("store." + e.getMessage().replace("'timeout' ", "timeout: "));
        }
        Duration connectTimeout;
        try {
            connectTimeout = duration(node, "connect-timeout", DEFAULT_CONNECT_TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("store." + e.getMessage().replace("'connect-timeout' ",
                    "connect-timeout: "));
        }
        return new StoreSettings(redis, password, prefix, timeout, connectTimeout);
    }

    private static String checkUri(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("store.redis: not a URI (" + e.getReason() + "); e.g. redis://10.0.0.5:6379");
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new IllegalArgumentException("store.redis: the scheme must be redis:// or rediss:// (TLS)");
        }
        if (uri.getHost() == null || uri.getPort() < 1) {
            throw new IllegalArgumentException("store.redis: needs a host and a port, e.g. redis://10.0.0.5:6379");
        }
        return value;
    }
}
