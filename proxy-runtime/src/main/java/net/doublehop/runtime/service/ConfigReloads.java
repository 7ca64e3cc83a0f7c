package net.doublehop.runtime.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.PrivacyPassConfig;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.config.YamlNodes;
import net.doublehop.runtime.metrics.ProxyMetrics;

/**
 * Hot reload, the same for both proxies. On {@code SIGHUP}, or when the configuration file or a file it names
 * changes (checked every 2 s by modification time and size, which also sees Kubernetes' atomic ConfigMap and Secret
 * swaps):
 * <ol>
 *   <li>the configuration file is read and validated again, as at start;</li>
 *   <li>if neither it nor any file it names ({@link ConfigFiles}) differs in content from what runs (SHA-256),
 *       nothing else happens ({@code unchanged});</li>
 *   <li>else the proxy builds, off the event loop, everything new requests will use, reading and checking every
 *       file it names, without touching what runs;</li>
 *   <li>and swaps it in at once ({@code applied}): new requests use it, open tunnels keep what they started with.
 *       Changed keys that cannot change live (and files named by such keys whose content changed) are logged as
 *       needing a restart; their running values stay.</li>
 * </ol>
 * Any failure in 1 or 3 refuses the configuration ({@code refused}) with a log line naming the key (and the file),
 * and the running one stays. Each reload is counted in {@code privacy_proxy_config_reloads_total{result}}.
 *
 * @param <C> the proxy's configuration record
 */
public final class ConfigReloads<C> implements AutoCloseable {

    /** What a proxy reloads. */
    public interface Reloadable<C> {
        /** Reads and validates the configuration file again, as at start; throws a {@link ConfigException}. */
        C load(Path configFile);

        /**
         * The keys a reload applies: top-level keys ({@code users}) or {@code key.subkey}; every other key (and any
         * file it names) needs a restart.
         */
        Set<String> liveKeys();

        /**
         * Builds, without changing what runs, everything new requests will use: the live keys from {@code next},
         * the others kept from {@code running}. Reads and checks every file the live keys name; throws a
         * {@link ConfigException} (or {@link IllegalArgumentException}, {@link IllegalStateException}) naming the
         * key and the file.
         */
        Prepared<C> prepare(C running, C next);
    }

    /** A {@link Reloadable} made of its three parts. */
    public static <C> Reloadable<C> reloadable(java.util.function.Function<Path, C> load, Set<String> liveKeys,
            java.util.function.BiFunction<C, C, Prepared<C>> prepare) {
        return new Reloadable<>() {
            @Override
            public C load(Path configFile) {
                return load.apply(configFile);
            }

            @Override
            public Set<String> liveKeys() {
                return liveKeys;
            }

            @Override
            public Prepared<C> prepare(C running, C next) {
                return prepare.apply(running, next);
            }
        };
    }

    /**
     * A built configuration ready to swap in.
     *
     * @param applied the configuration that will run: {@code next}'s live keys, the running values of the others
     * @param notes what the proxy could not apply live beyond the changed keys (e.g. a listener that keeps its
     *     certificate until a restart)
     * @param swap makes it live for new requests
     */
    public record Prepared<C>(C applied, List<String> notes, Runnable swap) {
        public Prepared {
            notes = List.copyOf(notes);
        }
    }

    /**
     * The TLS settings a reload applies, the same at both proxies: the new files while the kind of TLS stays (none,
     * self-signed, files; a client CA or not); a change of kind needs a restart, so it is noted and the running
     * settings stay.
     */
    public static TlsSettings liveTls(TlsSettings running, TlsSettings next, List<String> notes) {
        if (next.mode() == running.mode() && next.clientCa().isPresent() == running.clientCa().isPresent()) {
            return next;
        }
        notes.add("tls: the kind of TLS (none, self-signed, files; a client CA or not)");
        return running;
    }

    /** A changed spent-token capacity needs a restart (the store is sized at start): noted under {@code key}. */
    public static void noteSpentTokenCapacity(String key, Optional<PrivacyPassConfig> running,
            Optional<PrivacyPassConfig> next, List<String> notes) {
        running.ifPresent(old -> next.ifPresent(pp -> {
            if (pp.spentTokenCapacity() != old.spentTokenCapacity()) {
                notes.add(key);
            }
        }));
    }

    /** The result labels of {@code privacy_proxy_config_reloads_total}. */
    public static final String APPLIED = "applied";
    public static final String REFUSED = "refused";
    public static final String UNCHANGED = "unchanged";

    private final Vertx vertx;
    private final ProxyMetrics metrics;
    private final Logger log;
    private final Path configFile;
    private final Reloadable<C> reloadable;
    private final JsonNode startedTree;
    /** The content of each file named at start: a restart-only file is compared with these. */
    private final Map<Path, String> startedFiles;
    private volatile C running;
    private volatile String runningDigest;
    private volatile List<Path> watched;
    private volatile String watchStamp;
    private long timer = -1;
    private AutoCloseable hangup;

    /**
     * @param running the configuration the proxy started with, loaded from {@code configFile}
     * @throws ConfigException when the file cannot be read again
     */
    public ConfigReloads(Vertx vertx, ProxyMetrics metrics, String name, Path configFile, C running,
            Reloadable<C> reloadable) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.log = System.getLogger(name);
        this.configFile = configFile.toAbsolutePath();
        this.reloadable = reloadable;
        this.running = running;
        Snapshot s = snapshot();
        this.startedTree = s.tree;
        this.startedFiles = s.fileDigests;
        this.runningDigest = s.digest;
        this.watched = s.watched();
        this.watchStamp = stamp(watched);
    }

    /**
     * Takes SIGHUP over before the proxy starts (call it first in {@code main}): a SIGHUP while the proxy starts is
     * then logged and ignored, where the JVM's default would end the process.
     */
    public static void catchHangupEarly() {
        HangupSignal.install();
    }

    /**
     * Starts hot reload for a proxy that runs {@code running}, loaded from {@code configFile}. When the file cannot be
     * read again the proxy runs on without reloads and a warning says so, rather than stopping after it started.
     */
    public static <C> void startOrWarn(Vertx vertx, ProxyMetrics metrics, String name, Path configFile, C running,
            Reloadable<C> reloadable) {
        try {
            new ConfigReloads<>(vertx, metrics, name, configFile, running, reloadable).start();
        } catch (ConfigException e) {
            System.getLogger(name).log(Level.WARNING, "reload: off: " + e.getMessage());
        }
    }

    /** Starts watching the files every 2 s and, where the JVM allows it, listening for SIGHUP. */
    public ConfigReloads<C> start() {
        timer = vertx.setPeriodic(2000, id -> {
            if (!stamp(watched).equals(watchStamp)) {
                reloadNow();
            }
        });
        hangup = HangupSignal.register(() -> {
            log.log(Level.INFO, "reload: SIGHUP");
            reloadNow();
        }, log);
        return this;
    }

    /** The configuration new requests use now. */
    public C running() {
        return running;
    }

    /** The files watched now: the configuration file and every file it names. */
    public List<Path> watched() {
        return watched;
    }

    /** Reloads now (one at a time, off the event loop); completes with the result label. */
    public Future<String> reloadNow() {
        return vertx.executeBlocking(this::reload, true);
    }

    private String reload() {
        String result;
        try {
            Snapshot s = snapshot();
            watched = s.watched();
            if (s.digest.equals(runningDigest)) {
                result = UNCHANGED;
                log.log(Level.INFO, "reload: the configuration and the files it names are unchanged");
            } else {
                C next = reloadable.load(configFile);
                Prepared<C> prepared = reloadable.prepare(running, next);
                prepared.swap().run();
                running = prepared.applied();
                runningDigest = s.digest;
                result = APPLIED;
                log.log(Level.INFO, "reload: configuration applied to new requests; open tunnels keep running");
                List<String> restart = new ArrayList<>(restartKeys(s));
                restart.addAll(prepared.notes());
                if (!restart.isEmpty()) {
                    log.log(Level.WARNING, "reload: changed, but needs a restart (the running value stays): "
                            + String.join("; ", restart));
                }
            }
        } catch (ConfigException | IllegalArgumentException | IllegalStateException e) {
            result = REFUSED;
            log.log(Level.WARNING, "reload: configuration refused, the running one stays: " + e.getMessage());
        }
        watchStamp = stamp(watched);
        metrics.configReload(result);
        return result;
    }

    /** Stops watching the files and SIGHUP. */
    @Override
    public void close() {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (hangup != null) {
            try {
                hangup.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Changed keys outside the live ones, and restart-only files whose content changed since start. */
    private List<String> restartKeys(Snapshot s) {
        Set<String> live = reloadable.liveKeys();
        List<String> out = new ArrayList<>(changedKeys(startedTree, s.tree, live));
        for (Map.Entry<Path, String> f : s.fileKeys.entrySet()) {
            String before = startedFiles.get(f.getKey());
            if (before != null && !before.equals(s.fileDigests.get(f.getKey())) && !isLive(f.getValue(), live)) {
                out.add(f.getValue() + " (" + f.getKey() + " changed)");
            }
        }
        return out;
    }

    private static boolean isLive(String key, Set<String> live) {
        for (String k : live) {
            if (key.equals(k) || key.startsWith(k + ".") || key.startsWith(k + "[")) {
                return true;
            }
        }
        return false;
    }

    /** The configuration file as it is now: its tree, the files it names and a digest over all of them. */
    private record Snapshot(Path configFile, JsonNode tree, Map<Path, String> fileKeys, Map<Path, String> fileDigests,
            String digest) {
        List<Path> watched() {
            List<Path> out = new ArrayList<>();
            out.add(configFile);
            out.addAll(fileKeys.keySet());
            return out;
        }
    }

    private Snapshot snapshot() {
        String text;
        try {
            text = Files.readString(configFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + configFile + ": " + e.getMessage(), e);
        }
        JsonNode tree = YamlNodes.parseRoot(text);
        Map<Path, String> fileKeys = ConfigFiles.named(tree, configFile.getParent());
        Map<Path, String> digests = new LinkedHashMap<>();
        StringBuilder all = new StringBuilder(sha256(new java.io.ByteArrayInputStream(
                text.getBytes(StandardCharsets.UTF_8))));
        for (Path p : fileKeys.keySet()) {
            String d;
            try (InputStream in = Files.newInputStream(p)) {
                d = sha256(in);
            } catch (IOException e) {
                d = "unreadable"; // the loader names the key
            }
            digests.put(p, d);
            all.append(';').append(p).append('=').append(d);
        }
        return new Snapshot(configFile, tree, fileKeys, digests, all.toString());
    }

    /**
     * The keys (two levels deep, dotted) whose values differ between two configuration trees, leaving out those in
     * {@code live} (a top-level key, or {@code key.subkey}): what a reload cannot apply.
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

    /** Modification time and size of each file: cheap enough to check every 2 s. */
    private static String stamp(List<Path> files) {
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

    /** SHA-256 of a stream, read in pieces: a geolocation database may be large. */
    private static String sha256(InputStream in) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream d = new DigestInputStream(in, sha)) {
                d.transferTo(OutputStream.nullOutputStream());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            return "unreadable";
        }
    }
}
