package net.doublehop.runtime.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The connection to the Redis that several instances of a proxy share ({@code store.redis}). Every operation is
 * one Lua script, so each check-and-update is atomic on the Redis server whatever the other instances do at the
 * same moment (Redis runs a script to its end before any other command). Every operation is bounded by
 * {@code store.timeout}; callers decide what an unreachable store means for them (spent tokens: refuse;
 * limits: fall back to this instance's own bound).
 *
 * <p>Keys are {@code <key-prefix>:{dh}:…}: the hash tag keeps them in one slot, so the scripts that touch two
 * keys also run on a Redis Cluster node. No key holds a user name, token or address in clear: subjects are
 * hashed ({@link #subjectKey}).
 */
public final class RedisStore implements AutoCloseable {

    private final Vertx vertx;
    private final Redis redis;
    private final String prefix;
    private final long timeoutMillis;
    private final String instanceId;
    private final StoreCircuit circuit = new StoreCircuit(System::nanoTime);

    private RedisStore(Vertx vertx, Redis redis, String prefix, long timeoutMillis) {
        this.vertx = vertx;
        this.redis = redis;
        this.prefix = prefix + ":{dh}:";
        this.timeoutMillis = timeoutMillis;
        byte[] id = new byte[9];
        new SecureRandom().nextBytes(id);
        this.instanceId = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    /** A client for {@code settings.redis()}; connects lazily, so a Redis that is down at start does not stop the proxy. */
    public static RedisStore create(Vertx vertx, StoreSettings settings) {
        String uri = settings.redis().orElseThrow(() -> new IllegalArgumentException("store.redis is not set"));
        // A short connect timeout: a Redis host that drops packets shows at once, not after store.timeout.
        int connectTimeout = (int) Math.min(settings.connectTimeout().toMillis(), settings.timeout().toMillis());
        RedisOptions options = new RedisOptions()
                .setConnectionString(uri)
                .setMaxPoolSize(8)
                .setMaxPoolWaiting(1024)
                .setMaxWaitingHandlers(4096)
                .setNetClientOptions(new NetClientOptions().setConnectTimeout(connectTimeout).setTcpNoDelay(true));
        settings.password().ifPresent(options::setPassword);
        return new RedisStore(vertx, Redis.createClient(vertx, options), settings.keyPrefix(), settings.timeout().toMillis());
    }

    /** A random name for this process, so the counts it holds can be told from other instances' and expire with it. */
    public String instanceId() {
        return instanceId;
    }

    /** The full key for {@code parts} under the configured prefix. */
    public String key(String... parts) {
        return prefix + String.join(":", parts);
    }

    /**
     * A key part for a subject (a user name, a certificate subject): the first 16 bytes of its SHA-256 in hex, so
     * Redis never holds the name itself. Names can be guessed and checked against it, so the store is as private as
     * the users file: keep it on a private network with a password.
     */
    public static String subjectKey(String subject) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs a Lua script (EVALSHA, loading it with EVAL the first time a server has not seen it). Fails at once with
     * {@link Unavailable} while Redis is known to be unreachable ({@link StoreCircuit}).
     */
    public Future<Response> eval(LuaScript script, List<String> keys, List<Object> args) {
        return guarded(() -> redis.send(script.request(Command.EVALSHA, keys, args)).recover(e -> {
            if (e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")) {
                return redis.send(script.request(Command.EVAL, keys, args));
            }
            return Future.failedFuture(e);
        }));
    }

    /** PING, bounded by the timeout (and the circuit): for start-up checks and tests. */
    public Future<Void> ping() {
        return guarded(() -> redis.send(Request.cmd(Command.PING))).mapEmpty();
    }

    /** True while store calls fail at once because Redis did not answer the last ones. */
    public boolean circuitOpen() {
        return circuit.isOpen();
    }

    /** A store call failed at once: Redis did not answer the last calls (the circuit is open). */
    public static final class Unavailable extends RuntimeException {
        Unavailable() {
            super("store unavailable: Redis did not answer the last calls (circuit open)", null, false, false);
        }
    }

    private Future<Response> guarded(java.util.function.Supplier<Future<Response>> call) {
        if (!circuit.allow()) {
            return Future.failedFuture(new Unavailable());
        }
        return call.get().timeout(timeoutMillis, TimeUnit.MILLISECONDS).andThen(r -> {
            // An error reply (ErrorType: OOM, WRONGTYPE…) is Redis answering; anything else is no answer.
            if (r.succeeded() || r.cause() instanceof io.vertx.redis.client.impl.types.ErrorType) {
                circuit.reachable();
            } else {
                circuit.unreachable();
            }
        });
    }

    Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        redis.close();
    }

    /** A Lua script and its SHA-1 (the name EVALSHA calls it by). */
    public record LuaScript(String source, String sha1) {

        public static LuaScript of(String source) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
                return new LuaScript(source, HexFormat.of().formatHex(d));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        Request request(Command command, List<String> keys, List<Object> args) {
            Request r = Request.cmd(command).arg(command == Command.EVAL ? source : sha1).arg(keys.size());
            keys.forEach(r::arg);
            for (Object a : args) {
                r.arg(a.toString());
            }
            return r;
        }
    }
}
