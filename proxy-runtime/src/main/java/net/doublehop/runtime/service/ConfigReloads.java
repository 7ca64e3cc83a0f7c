package net.doublehop.runtime.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import net.doublehop.runtime.metrics.ProxyMetrics;

/**
 * Hot reload: on {@code SIGHUP}, or when the configuration file or a file it names for live change is modified
 * (checked every 2 s by modification time and size, which also sees Kubernetes' atomic ConfigMap and Secret
 * swaps), the file is read and validated again and what may change live is swapped in for new requests; open
 * tunnels keep what they started with. An invalid file is refused with a log line naming the key, and the running
 * configuration stays. Changed keys that cannot change live are named in a log line as needing a restart.
 * Counted in {@code privacy_proxy_config_reloads_total{result}}: {@code applied}, {@code invalid},
 * {@code restart_required} (the live part applied; some changed keys wait for a restart).
 */
public final class ConfigReloads implements AutoCloseable {

    /** What a proxy can reload. */
    public interface Reloader {
        /**
         * Reads and validates the configuration again and applies what may change live; returns the changed keys
         * that need a restart. Throws {@link IllegalArgumentException} (or a subclass) naming the key when invalid.
         */
        List<String> reload() throws IOException;

        /** The files whose change triggers a reload: the configuration and the files it names for live change. */
        List<Path> watched();
    }

    private final Vertx vertx;
    private final ProxyMetrics metrics;
    private final Logger log;
    private final Reloader reloader;
    private String fingerprint;
    private long timer = -1;

    public ConfigReloads(Vertx vertx, ProxyMetrics metrics, String name, Reloader reloader) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.log = System.getLogger(name);
        this.reloader = reloader;
        this.fingerprint = fingerprint(reloader.watched());
    }

    /** Starts watching the files and, where the JVM allows it, listening for SIGHUP. */
    public ConfigReloads start() {
        timer = vertx.setPeriodic(2000, id -> {
            String now = fingerprint(reloader.watched());
            if (!now.equals(fingerprint)) {
                fingerprint = now;
                reloadNow();
            }
        });
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> vertx.runOnContext(v -> reloadNow()));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.log(Level.WARNING, "reload: SIGHUP cannot be handled here (" + e.getClass().getSimpleName()
                    + "); file changes still reload the configuration");
        }
        return this;
    }

    /** Reloads now (one at a time, off the event loop); completes with the result label. */
    public Future<String> reloadNow() {
        return vertx.executeBlocking(() -> {
            String result;
            try {
                List<String> restart = reloader.reload();
                result = restart.isEmpty() ? "applied" : "restart_required";
                log.log(Level.INFO, "reload: configuration valid; what may change live applies to new requests"
                        + (restart.isEmpty() ? "" : "; changed keys that need a restart: " + String.join(", ", restart)));
            } catch (IllegalArgumentException | net.doublehop.runtime.config.ConfigException | IOException e) {
                result = "invalid";
                log.log(Level.WARNING, "reload: configuration refused, the running one stays: " + e.getMessage());
            }
            fingerprint = fingerprint(reloader.watched());
            metrics.configReload(result);
            return result;
        }, true);
    }

    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * The keys (two levels deep, dotted) whose values differ between two configuration trees, leaving out those in
     * {@code live}: what a reload cannot apply.
     */
    public static List<String> changedKeys(JsonNode old, JsonNode next, Set<String> live) {
        Set<String> out = new TreeSet<>();
        for (String k : union(old, next)) {
            JsonNode a = old.get(k);
            JsonNode b = next.get(k);
            if (live.contains(k) || Objects.equals(a, b)) {
                continue;
            }
            if (a != null && b != null && a.isObject() && b.isObject()) {
                for (String k2 : union(a, b)) {
                    if (!live.contains(k + "." + k2) && !Objects.equals(a.get(k2), b.get(k2))) {
                        out.add(k + "." + k2);
                    }
                }
            } else {
                out.add(k);
            }
        }
        return new ArrayList<>(out);
    }

    private static Set<String> union(JsonNode a, JsonNode b) {
        Set<String> keys = new TreeSet<>();
        for (JsonNode n : new JsonNode[] {a, b}) {
            if (n != null) {
                for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                    keys.add(it.next());
                }
            }
        }
        return keys;
    }

    private static String fingerprint(List<Path> files) {
        StringBuilder sb = new StringBuilder();
        for (Path p : files) {
            try {
                sb.append(p).append('@').append(Files.getLastModifiedTime(p).toMillis()).append('/')
                        .append(Files.size(p)).append(';');
            } catch (IOException e) {
                sb.append(p).append("@missing;");
            }
        }
        return sb.toString();
    }
}
