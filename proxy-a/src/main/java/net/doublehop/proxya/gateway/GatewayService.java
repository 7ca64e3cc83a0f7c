package net.doublehop.proxya.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.doublehop.protocol.ohttp.GatewayKey;
import net.doublehop.protocol.ohttp.ReplayRegister;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.service.SideService;

/**
 * The gateway as a side service: one of Proxy A's (deployed after A's listeners, undeployed before they
 * drain) or the only one of {@code proxy-a.jar gateway}. Keys are loaded when it is built, so a bad key file
 * is a configuration error before anything listens. It deploys {@code event-loops} instances of
 * {@link GatewayVerticle} on one port: decapsulation (an X25519 agreement and HPKE per request) is the
 * gateway's main cost, and one event loop would do all of it on one core.
 */
public final class GatewayService implements SideService {

    private static final Logger LOG = System.getLogger("proxy-a.gateway");

    private final GatewayConfig config;
    private final List<GatewayKey> keys;
    private final OhttpMetrics metrics;
    private final boolean logSensitive;
    private final ReplayRegister replays;
    private final List<GatewayVerticle> instances = new CopyOnWriteArrayList<>();
    private SelfSignedCertificate selfSigned;
    private Vertx vertx;
    private final List<String> deploymentIds = new CopyOnWriteArrayList<>();

    public GatewayService(GatewayConfig config, MeterRegistry registry, boolean logSensitive) {
        this.config = config;
        this.keys = GatewayKeys.load(config, new SecureRandom());
        this.metrics = new OhttpMetrics(registry, "gateway");
        this.logSensitive = logSensitive;
        GatewayConfig.Replay replay = config.replay();
        this.replays = replay.enabled() ? new ReplayRegister(replay.window(), replay.maxEntries()) : null;
        if (replays != null) {
            metrics.replayRegister(replays::size, replay.maxEntries());
        }
    }

    /** The gateway has its own {@code tls}, so the proxy's certificate is not used. */
    @Override
    public Future<Void> start(Vertx vertx, KeyCertOptions proxySelfSigned) {
        this.vertx = vertx;
        if (replays == null) {
            LOG.log(Level.WARNING, "gateway.replay.enabled is false: a replayed request (RFC 9458 section 6.5) "
                    + "is answered again");
        }
        if (config.tls().mode() == TlsSettings.Mode.SELF_SIGNED) {
            selfSigned = SelfSignedCertificate.create("localhost");
            LOG.log(Level.WARNING, "gateway.tls not set: serving a self-signed certificate. Development only.");
        }
        // Vert.x shares one listening port among instances only when it is a given one: on port 0 each would
        // get a port of its own, so a gateway on port 0 (tests) runs one instance
        int n = config.listen().port() == 0 ? 1 : config.eventLoops();
        // the connection pool bound is the gateway's: each instance gets its share, at least one
        int connectionsPerTarget = Math.max(1, (config.maxConnectionsPerTarget() + n - 1) / n);
        KeyCertOptions keyCert = selfSigned == null ? null : selfSigned.keyCertOptions();
        int listenPort = config.listen().port();
        return deploy(n, keyCert, connectionsPerTarget, listenPort)
                .onSuccess(v -> LOG.log(Level.INFO, "gateway listening on {0}:{1,number,#} ({2} event loop(s), "
                        + "{3} key(s), {4} allowed target origin(s))", config.listen().host(), port(), n, keys.size(),
                        config.allowedTargets().size()));
    }

    private Future<Void> deploy(int count, KeyCertOptions keyCert, int connectionsPerTarget, int listenPort) {
        return vertx.deployVerticle(() -> {
            GatewayVerticle v = new GatewayVerticle(config, keys, metrics, logSensitive, replays, keyCert,
                    connectionsPerTarget, listenPort);
            instances.add(v);
            return v;
        }, new DeploymentOptions().setInstances(count)).map(id -> {
            deploymentIds.add(id);
            return null;
        });
    }

    /**
     * A reload's new {@code gateway.keys}: reads and checks the key files of {@code next} now (a
     * {@link net.doublehop.runtime.config.ConfigException} naming the file when one cannot be used) and returns
     * what swaps them in for new requests. Without key files (a key generated at start) the running key stays.
     */
    public Runnable prepareKeys(GatewayConfig next) {
        if (next.keys().isEmpty()) {
            return () -> { };
        }
        List<GatewayKey> loaded = GatewayKeys.load(next, new SecureRandom());
        return () -> instances.forEach(v -> v.replaceKeys(loaded));
    }

    /** The bound port (after start; every instance shares it). */
    public int port() {
        return instances.get(0).port();
    }

    /** Each instance's bound port (tests: they are one). */
    List<Integer> instancePorts() {
        return instances.stream().map(GatewayVerticle::port).toList();
    }

    @Override
    public Future<Void> stop(Duration grace) {
        Future<Void> undeployed = Future.all(deploymentIds.stream().map(id -> vertx.undeploy(id)).toList())
                .mapEmpty();
        return undeployed.andThen(ar -> {
            if (selfSigned != null) {
                selfSigned.delete();
            }
        });
    }
}
