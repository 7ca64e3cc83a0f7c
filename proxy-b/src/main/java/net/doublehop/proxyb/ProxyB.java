package net.doublehop.proxyb;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.internal.resolver.NameResolver;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.signature.GeohashSignatureVerifier;
import net.doublehop.protocol.signature.Jwks;
import net.doublehop.proxyb.config.ProxyBConfig;
import net.doublehop.proxyb.egress.DestinationPolicy;
import net.doublehop.proxyb.egress.EgressBindCheck;
import net.doublehop.proxyb.egress.Geofeed;
import net.doublehop.proxyb.egress.PoolSelector;
import net.doublehop.proxyb.flow.AdmissionStages;
import net.doublehop.proxyb.flow.CallerAuthenticator;
import net.doublehop.proxyb.flow.ConnectFlow;
import net.doublehop.proxyb.flow.ConnectUdpFlow;
import net.doublehop.proxyb.flow.DestinationResolver;
import net.doublehop.proxyb.flow.EgressDialer;
import net.doublehop.proxyb.flow.EgressSelection;
import net.doublehop.proxyb.flow.FailureResponder;
import net.doublehop.proxyb.flow.GeohashCheck;
import net.doublehop.proxyb.flow.RequestParser;
import net.doublehop.proxyb.flow.TunnelSummary;
import net.doublehop.runtime.auth.InMemorySpentTokenStore;
import net.doublehop.runtime.auth.PrivacyPassRedeemer;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.h3.Http3Listener;
import net.doublehop.runtime.h3.QuicTls;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.server.AdminServer;
import net.doublehop.runtime.server.Listener;
import net.doublehop.runtime.server.ListenerOptions;
import net.doublehop.runtime.server.ProxyExchange;
import net.doublehop.runtime.server.TunnelLimiter;
import net.doublehop.runtime.server.tcp.TcpListener;
import net.doublehop.runtime.server.tcp.TcpListenerConfig;

/** A running Proxy B: builds the flow from a validated config, starts the listeners, stops gracefully. */
public final class ProxyB {

    private static final Logger LOG = System.getLogger("proxy-b");

    private final Vertx vertx;
    private final ProxyBConfig config;
    private final ProxyMetrics metrics = new ProxyMetrics("b");
    private final List<Listener> listeners = new ArrayList<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private TunnelRegistry tunnels;
    private NameResolver resolver;
    private AdminServer admin;
    private SelfSignedCertificate selfSigned;
    private int port;
    private int adminPort = -1;
    private Future<Void> stopping;

    private ProxyB(Vertx vertx, ProxyBConfig config) {
        this.vertx = vertx;
        this.config = config;
    }

    /**
     * Starts Proxy B on {@code vertx} with {@code instances} listener verticles (one per event loop is
     * a good choice). Fails with a {@link ConfigException} naming the problem when the config cannot run.
     */
    public static Future<ProxyB> start(Vertx vertx, ProxyBConfig config, int instances) {
        ProxyB b = new ProxyB(vertx, config);
        try {
            return b.startListeners(b.buildFlow(), Math.max(1, instances)).map(b);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Both request flows: CONNECT-UDP (an HTTP/1.1 upgrade) and CONNECT, on the same listener. */
    private Handler<ProxyExchange> buildFlow() {
        if (config.bindCheck()) {
            try {
                EgressBindCheck.check(config.pools());
            } catch (IllegalStateException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }
        GeohashSignatureVerifier verifier = config.geohash().trustedSigners().map(path -> {
            Map<String, PublicKey> keys;
            try {
                keys = Jwks.parse(Files.readString(path, StandardCharsets.UTF_8));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("geohash.trusted-signers: cannot load " + path + ": " + e.getMessage(), e);
            }
            if (keys.isEmpty()) {
                throw new ConfigException("geohash.trusted-signers: " + path + " holds no Ed25519 keys");
            }
            return new GeohashSignatureVerifier(keys, Clock.systemUTC(), config.geohash().maxClockSkew(),
                    config.geohash().maxValidity());
        }).orElse(null);

        AddressResolverOptions dns = new AddressResolverOptions()
                .setQueryTimeout(config.dns().timeout().toMillis())
                .setMaxQueries(4);
        if (!config.dns().servers().isEmpty()) {
            dns.setServers(config.dns().servers().stream().map(HostPort::toString).toList());
        }
        config.dns().hostsFile().ifPresent(dns::setHostsPath);
        resolver = new NameResolver(vertx, dns);

        tunnels = new TunnelRegistry(vertx, config.limits().idleTimeout());
        boolean mtls = config.tls().clientCa().isPresent();
        Optional<PrivacyPassRedeemer> privacyPass = config.auth().privacyPass().map(pp -> new PrivacyPassRedeemer(
                pp.redemption(), new InMemorySpentTokenStore(pp.spentTokenCapacity())));
        List<String> challenges = new ArrayList<>();
        privacyPass.ifPresent(pp -> challenges.add(pp.challengeHeader()));
        if (!config.auth().presharedKeys().isEmpty() || privacyPass.isEmpty()) {
            challenges.add("Preshared realm=\"" + config.proxyName() + "\"");
        }
        CallerAuthenticator authenticator = new CallerAuthenticator(config.auth().presharedKeys(), mtls,
                config.auth().allowUnauthenticated(), privacyPass);
        GeohashCheck geohash = new GeohashCheck(verifier, config.geohash().requireSignature(),
                config.geohash().maxPrecision());
        EgressSelection egress = new EgressSelection(new PoolSelector(config.pools(), config.defaultPool()));
        TunnelLimiter limiter = new TunnelLimiter(config.limits().maxTunnels(), config.limits().maxTunnelsPerConnection());
        DestinationResolver destinations = new DestinationResolver(vertx, resolver,
                new DestinationPolicy(config.destinationAllow()), config.dns().timeout());
        AdmissionStages stages = new AdmissionStages(authenticator, geohash, egress, limiter, destinations,
                new FailureResponder(config.proxyName(), challenges), new TunnelSummary(metrics, config.logSensitive()));
        ConnectFlow connect = new ConnectFlow(new RequestParser(), stages,
                new EgressDialer(vertx, config.limits().connectTimeout()),
                tunnels);
        ConnectUdpFlow connectUdp = new ConnectUdpFlow(vertx,
                config.udpTemplate(),
                stages, config.limits().idleTimeout());
        return req -> {
            if (net.doublehop.runtime.server.ConnectTargets.isConnectUdp(req)) {
                connectUdp.handle(req);
            } else {
                connect.handle(req);
            }
        };
    }

    private Future<Void> startListeners(Handler<ProxyExchange> flow, int instances) {
        TlsSettings tls = config.tls();
        KeyCertOptions selfSignedOptions = null;
        if (tls.mode() == TlsSettings.Mode.SELF_SIGNED) {
            selfSigned = SelfSignedCertificate.create("localhost");
            selfSignedOptions = selfSigned.keyCertOptions();
            LOG.log(Level.WARNING, "tls: no certificate configured; using a self-signed certificate made at start. "
                    + "Clients must skip verification (curl --proxy-insecure). Configure tls.certificate for production.");
        }
        if (!tls.enabled()) {
            LOG.log(Level.WARNING, "tls: none; the proxy listener is cleartext. Only run it behind a TLS terminator.");
        }
        if (config.logSensitive()) {
            LOG.log(Level.WARNING, "logging.log-sensitive-data is ON: logs will contain client addresses and "
                    + "destinations. Turn it off outside debugging.");
        }
        HostPort listen = config.listen();
        KeyCertOptions keyCert = selfSignedOptions;
        // One listener verticle per event loop, each binding the port with SO_REUSEPORT so the kernel spreads the
        // connections. Port 0 cannot be shared (each bind would get its own port), so an ephemeral port means a
        // single listener instance; production configs name their port.
        int count = listen.port() == 0 ? 1 : instances;
        Optional<String> altSvc = config.http3() ? Optional.of(ListenerOptions.altSvc(listen.port())) : Optional.empty();
        TcpListenerConfig tcp = new TcpListenerConfig(listen.host(), listen.port(), tls, keyCert, config.limits(),
                config.proxyName(), altSvc, count > 1);
        Future<Void> first = deploy(tcp, flow).map(l -> {
                    port = l.actualPort();
                    return null;
                });
        return first.compose(v -> {
            List<Future<?>> rest = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                rest.add(deploy(tcp, flow));
            }
            if (config.http3()) {
                Http3Listener h3 = new Http3Listener(listen.host(), listen.port(), QuicTls.server(vertx, tls, keyCert),
                        config.limits(), flow, metrics);
                listeners.add(h3);
                rest.add(vertx.deployVerticle(h3, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP)));
            }
            return Future.all(rest).<Void>mapEmpty();
        }).compose(v -> startAdmin()).onSuccess(v -> ready.set(true));
    }

    private Future<TcpListener> deploy(TcpListenerConfig tcp, Handler<ProxyExchange> flow) {
        TcpListener verticle = new TcpListener(tcp, flow, metrics);
        listeners.add(verticle);
        return vertx.deployVerticle(verticle, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP))
                .map(id -> verticle);
    }

    private Future<Void> startAdmin() {
        if (config.admin().isEmpty()) {
            return Future.succeededFuture();
        }
        admin = new AdminServer(vertx, metrics::scrape, ready::get, Map.of("/geofeed.csv",
                new AdminServer.Document("text/csv; charset=utf-8", Geofeed.csv(config.pools()))));
        return admin.listen(config.admin().get()).map(p -> {
            adminPort = p;
            return null;
        });
    }

    /** The proxy listener's port (useful when the config asked for port 0). */
    public int port() {
        return port;
    }

    /** The admin port, or -1 when no admin listener is configured. */
    public int adminPort() {
        return adminPort;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public ProxyBConfig config() {
        return config;
    }

    /**
     * Graceful stop: not ready, stop accepting, let tunnels finish until {@code grace} runs out, then
     * close what is left.
     */
    public synchronized Future<Void> stop(Duration grace) {
        if (stopping != null) {
            return stopping; // idempotent: SIGTERM and a test's close() may both ask
        }
        ready.set(false);
        List<Future<Void>> shutdowns = new ArrayList<>();
        for (Listener l : listeners) {
            shutdowns.add(l.shutdown(grace));
        }
        stopping = Future.join(shutdowns).<Void>mapEmpty().eventually(() -> {
            if (tunnels != null) {
                tunnels.closeAll();
            }
            if (selfSigned != null) {
                selfSigned.delete();
            }
            Future<Void> a = admin == null ? Future.succeededFuture() : admin.close();
            return a.eventually(() -> resolver == null ? Future.succeededFuture() : resolver.close());
        });
        return stopping;
    }
}
