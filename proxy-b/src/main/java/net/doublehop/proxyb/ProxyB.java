package net.doublehop.proxyb;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.dns.AddressResolverOptions;
import net.doublehop.runtime.vertx.HostResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import net.doublehop.proxyb.flow.LoopGuard;
import net.doublehop.proxyb.flow.EgressDialer;
import net.doublehop.proxyb.flow.EgressSelection;
import net.doublehop.proxyb.flow.FailureResponder;
import net.doublehop.proxyb.flow.GeohashCheck;
import net.doublehop.proxyb.flow.NonceBinding;
import net.doublehop.proxyb.flow.RequestParser;
import net.doublehop.proxyb.flow.TunnelSummary;
import net.doublehop.runtime.auth.PrivacyPassRedeemer;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.service.AdminServer;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.listen.TunnelLimiter;
import net.doublehop.runtime.service.ProxyServer;
import net.doublehop.runtime.store.SharedState;
import net.doublehop.runtime.service.ServiceSettings;
import net.doublehop.runtime.service.ConfigReloads;
import net.doublehop.runtime.service.LiveConfig;
import net.doublehop.runtime.auth.SpentTokenStore;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.proxyb.config.ConfigLoader;
import java.util.Set;
import net.doublehop.runtime.trace.TunnelTracing;

/**
 * A running Proxy B: builds its request flows (CONNECT and CONNECT-UDP) from a validated config and runs them on the
 * start-up and shutdown both proxies share ({@link ProxyServer}). What a reload may change (authentication, geohash
 * verification, egress pools, the destination policy, the TLS files) is built into one {@link Live} value that a
 * reload replaces whole ({@link #reloadable()}); what lives across reloads (open tunnels, limits, the resolver, the
 * spent-token store, remembered signature nonces) is built once.
 */
public final class ProxyB {

    /** Signature nonces remembered at once (geohash.bind-nonce): ~100 bytes each. */
    static final int NONCE_CAPACITY = 1_000_000;

    /** The top-level keys a reload applies at B (docs/configuration.md, "Reload"); the others need a restart. */
    public static final Set<String> LIVE_KEYS = Set.of("auth", "geohash", "egress", "destinations", "tls");

    /** What B's new requests use: the configuration they follow, the flow built from it, the geofeed it publishes. */
    record Live(ProxyBConfig config, Handler<ProxyExchange> flow, String geofeed) { }

    private final ProxyServer server;
    private final ProxyMetrics metrics;
    private final Builder parts;
    private final LiveConfig<Live> live;

    private ProxyB(ProxyServer server, Builder parts, LiveConfig<Live> live) {
        this.server = server;
        this.metrics = parts.metrics;
        this.parts = parts;
        this.live = live;
    }

    /**
     * Starts Proxy B on {@code vertx} with {@code instances} listener verticles (one per event loop is
     * a good choice). Fails with a {@link ConfigException} naming the problem when the config cannot run.
     */
    public static Future<ProxyB> start(Vertx vertx, ProxyBConfig config, int instances) {
        try {
            return new Builder(vertx, config).start(instances);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /**
     * Hot reload at B ({@link ConfigReloads}): the keys in {@link #LIVE_KEYS} from the new file, checked as at start
     * (new egress addresses bind-tested, JWKS and key files read), for requests from the swap on; open tunnels
     * keep running on what they started with.
     */
    public ConfigReloads.Reloadable<ProxyBConfig> reloadable() {
        return ConfigReloads.reloadable(ConfigLoader::load, LIVE_KEYS, this::prepare);
    }

    /** The live keys of {@code next} with the running values of the others, built and ready to swap in. */
    private ConfigReloads.Prepared<ProxyBConfig> prepare(ProxyBConfig running, ProxyBConfig next) {
        List<String> notes = new ArrayList<>();
        TlsSettings tls = ConfigReloads.liveTls(running.tls(), next.tls(), notes);
        ConfigReloads.noteSpentTokenCapacity("auth.privacy-pass.spent-token-capacity", running.auth().privacyPass(),
                next.auth().privacyPass(), notes);
        ProxyBConfig applied = new ProxyBConfig(running.listen(), running.proxyName(), tls, next.auth(),
                next.geohash(), next.pools(), next.defaultPool(), next.bindCheck(), next.destinationAllow(),
                running.dns(), running.admin(), running.limits(), running.logSensitive(), running.http3(),
                running.udpTemplate(), running.ohttpRelay(), running.store(), running.tracing());
        ProxyServer.TlsReload newTls = server.prepareTls(applied.tls());
        if (newTls.changed() && (applied.http3() || applied.ohttpRelay().isPresent())) {
            notes.add("tls files: the HTTP/3 listener and the OHTTP relay keep the certificate they started "
                    + "with (the TCP listener uses the new one)");
        }
        Live next2 = parts.build(applied);
        return new ConfigReloads.Prepared<>(applied, notes, () -> {
            newTls.swap().run();
            live.replace(next2);
        });
    }

    /** Builds the flows and what the server closes after them. */
    private static final class Builder {
        private final Vertx vertx;
        private final ProxyBConfig config;
        private final ProxyMetrics metrics = new ProxyMetrics("b");
        private TunnelRegistry tunnels;
        private HostResolver resolver;
        private SharedState shared;
        private TunnelLimiter limiter;
        private EgressDialer dialer;
        private SpentTokenStore spentTokens;
        private NonceBinding nonces;
        /** B's own ports, known once bound: a tunnel to one of them is a loop. */
        private final LoopGuard loops;
        private TunnelTracing tracing = TunnelTracing.off();

        Builder(Vertx vertx, ProxyBConfig config) {
            this.vertx = vertx;
            this.config = config;
            this.loops = new LoopGuard(config.listen().host());
            config.ohttpRelay().ifPresent(r -> loops.listening(r.listen().port()));
        }

        Future<ProxyB> start(int instances) {
            Live first = build(config);
            LiveConfig<Live> live = new LiveConfig<>(first);
            Handler<ProxyExchange> flow = req -> live.current().flow().handle(req);
            ServiceSettings settings = new ServiceSettings("proxy-b", config.proxyName(), config.listen(), config.tls(),
                    config.limits(), config.http3(), instances, config.admin(), config.logSensitive());
            HostResolver dns = resolver;
            SharedState store = shared;
            TunnelTracing traces = tracing;
            ProxyServer.Parts parts = new ProxyServer.Parts(flow, tunnels, metrics,
                    Map.of("/geofeed.csv", new AdminServer.Document("text/csv; charset=utf-8",
                            () -> live.current().geofeed())),
                    config.ohttpRelay().<List<net.doublehop.runtime.service.SideService>>map(r ->
                            List.of(new net.doublehop.proxyb.ohttp.RelayService(r, metrics.registry())))
                            .orElse(List.of()),
                    List.of(dns::close, store::close, traces::close));
            return ProxyServer.start(vertx, settings, parts)
                    .onFailure(e -> {
                        dns.close();
                        store.close();
                        traces.close();
                    })
                    .map(server -> {
                        loops.listening(server.port());
                        loops.listening(server.adminPort());
                        return new ProxyB(server, this, live);
                    });
        }

        /** What lives across reloads, made once from the configuration B started with. */
        private void durableParts() {
            AddressResolverOptions dns = new AddressResolverOptions()
                    .setQueryTimeout(config.dns().timeout().toMillis())
                    .setMaxQueries(4);
            if (!config.dns().servers().isEmpty()) {
                dns.setServers(config.dns().servers().stream().map(HostPort::toString).toList());
            }
            config.dns().hostsFile().ifPresent(p -> dns.setHostsPath(p.toString()));
            resolver = new HostResolver(vertx, dns);
            tunnels = new TunnelRegistry(vertx, config.limits().idleTimeout());
            shared = SharedState.open(vertx, config.store(), metrics);
            limiter = TunnelLimiter.of(config.limits(), metrics);
            dialer = new EgressDialer(vertx, config.limits().connectTimeout());
            tracing = TunnelTracing.start(config.tracing(), "proxy-b", config.logSensitive());
            if (tracing.enabled()) {
                System.getLogger("proxy-b").log(System.Logger.Level.INFO, "tracing: OTLP to {0}, sample ratio {1}",
                        config.tracing().otlpEndpoint().get(), config.tracing().sampleRatio());
            }
        }

        /**
         * Everything a request uses under {@code cfg}: both request flows (CONNECT-UDP, an HTTP/1.1 upgrade, and
         * CONNECT, on the same listener). Reads and checks every file the live keys name; throws a
         * {@link ConfigException} naming the key.
         */
        Live build(ProxyBConfig cfg) {
            if (cfg.bindCheck()) {
                try {
                    EgressBindCheck.check(cfg.pools());
                } catch (IllegalStateException e) {
                    throw new ConfigException("egress.pools: " + e.getMessage(), e);
                }
            }
            GeohashSignatureVerifier verifier = cfg.geohash().trustedSigners().map(path -> {
                Map<String, PublicKey> keys;
                try {
                    keys = Jwks.parse(Files.readString(path, StandardCharsets.UTF_8));
                } catch (IOException | IllegalArgumentException e) {
                    throw new ConfigException("geohash.trusted-signers: cannot load " + path + ": " + e.getMessage(), e);
                }
                if (keys.isEmpty()) {
                    throw new ConfigException("geohash.trusted-signers: " + path + " holds no Ed25519 keys");
                }
                return new GeohashSignatureVerifier(keys, Clock.systemUTC(), cfg.geohash().maxClockSkew(),
                        cfg.geohash().maxValidity());
            }).orElse(null);
            if (tunnels == null) {
                durableParts();
            }
            boolean mtls = cfg.tls().clientCa().isPresent();
            Optional<PrivacyPassRedeemer> privacyPass = cfg.auth().privacyPass().map(pp -> new PrivacyPassRedeemer(
                    pp.redemption(), spentTokens(pp.spentTokenCapacity())));
            List<String> challenges = new ArrayList<>();
            privacyPass.ifPresent(pp -> challenges.add(pp.challengeHeader()));
            if (!cfg.auth().presharedKeys().isEmpty() || privacyPass.isEmpty()) {
                challenges.add("Preshared realm=\"" + cfg.proxyName() + "\"");
            }
            CallerAuthenticator authenticator = new CallerAuthenticator(cfg.auth().presharedKeys(), mtls,
                    cfg.auth().allowUnauthenticated(), privacyPass);
            GeohashCheck geohash = new GeohashCheck(verifier, cfg.geohash().requireSignature(),
                    cfg.geohash().maxPrecision(), cfg.geohash().bindNonce() ? nonces() : null);
            EgressSelection egress = new EgressSelection(new PoolSelector(cfg.pools(), cfg.defaultPool()));
            DestinationResolver destinations = new DestinationResolver(vertx, resolver,
                    new DestinationPolicy(cfg.destinationAllow()), cfg.dns().timeout(), loops);
            AdmissionStages stages = new AdmissionStages(authenticator, geohash, egress, limiter, destinations,
                    new FailureResponder(cfg.proxyName(), challenges, metrics), new TunnelSummary(metrics, cfg.logSensitive()),
                    tracing);
            ConnectFlow connect = new ConnectFlow(new RequestParser(), stages, dialer, tunnels);
            ConnectUdpFlow connectUdp = new ConnectUdpFlow(vertx, cfg.udpTemplate(), stages, cfg.limits().idleTimeout());
            Handler<ProxyExchange> flow = req -> {
                if (net.doublehop.runtime.listen.ConnectTargets.isConnectUdp(req)) {
                    connectUdp.handle(req);
                } else {
                    connect.handle(req);
                }
            };
            return new Live(cfg, flow, Geofeed.csv(cfg.pools()));
        }

        /** One spent-token store for B's life: a reload must not forget the tokens already spent. */
        private SpentTokenStore spentTokens(int capacity) {
            if (spentTokens == null) {
                spentTokens = shared.spentTokens(capacity);
            }
            return spentTokens;
        }

        /** One nonce memory for B's life: a reload must not let a replayed signature through. */
        private NonceBinding nonces() {
            if (nonces == null) {
                nonces = new NonceBinding(Clock.systemUTC(), config.geohash().maxClockSkew().toSeconds(), NONCE_CAPACITY);
            }
            return nonces;
        }
    }

    /** The proxy listener's port (useful when the config asked for port 0). */
    public int port() {
        return server.port();
    }

    /** The admin port, or -1 when no admin listener is configured. */
    public int adminPort() {
        return server.adminPort();
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** The configuration new requests follow now (the one B started with until a reload applies another). */
    public ProxyBConfig config() {
        return live.current().config();
    }

    /**
     * Graceful stop: not ready, stop accepting, let tunnels finish until {@code grace} runs out, then
     * close what is left.
     */
    public Future<Void> stop(Duration grace) {
        return server.stop(grace);
    }
}
