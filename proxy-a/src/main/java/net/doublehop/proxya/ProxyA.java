package net.doublehop.proxya;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.doublehop.geo.IpLocator;
import net.doublehop.geo.IpLocators;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.signature.Ed25519Keys;
import net.doublehop.protocol.signature.GeohashSigner;
import net.doublehop.protocol.signature.Jwks;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.flow.ClientLocator;
import net.doublehop.proxya.flow.FlowSelector;
import net.doublehop.proxya.flow.FlowStages;
import net.doublehop.proxya.flow.ForwardFlow;
import net.doublehop.proxya.flow.LocationSigning;
import net.doublehop.proxya.flow.NextHopAnswers;
import net.doublehop.proxya.flow.NextHopRequest;
import net.doublehop.proxya.flow.ObliviousFlow;
import net.doublehop.proxya.flow.RefusalAnswer;
import net.doublehop.proxya.flow.TargetParser;
import net.doublehop.proxya.flow.TunnelAdmission;
import net.doublehop.proxya.flow.TunnelStart;
import net.doublehop.proxya.flow.UserAuthentication;
import net.doublehop.proxya.flow.UserAuthenticator;
import net.doublehop.proxya.flow.SharedUserLimiter;
import net.doublehop.proxya.flow.UserLimiter;
import net.doublehop.proxya.flow.UserLimits;
import net.doublehop.proxya.issuer.SharedIssuanceLimiter;
import net.doublehop.runtime.store.SharedState;
import net.doublehop.proxya.issuer.IssuerKeys;
import net.doublehop.proxya.issuer.IssuerService;
import net.doublehop.proxya.upstream.UdpUpstream;
import net.doublehop.proxya.upstream.UpstreamPool;
import net.doublehop.runtime.auth.PrivacyPassRedeemer;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.listen.TunnelLimiter;
import net.doublehop.runtime.service.AdminServer;
import net.doublehop.runtime.service.ProxyServer;
import net.doublehop.runtime.service.ServiceSettings;
import net.doublehop.runtime.service.SideService;
import net.doublehop.runtime.service.ConfigReloads;
import net.doublehop.runtime.service.LiveConfig;
import net.doublehop.runtime.auth.SpentTokenStore;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import java.util.ArrayList;
import java.util.Set;
import net.doublehop.runtime.trace.TunnelTracing;

/**
 * A running Proxy A: builds its request flow (forward mode) and its Privacy Pass issuer from a validated config and
 * runs them on the start-up and shutdown both proxies share ({@link ProxyServer}). What a reload may change (users,
 * geolocation, the signing key, the mode, the TLS files) is built into one {@link Live} value that a reload replaces
 * whole ({@link #reloadable()}); what lives across reloads (open tunnels, limits, the pooled connections to B, the
 * spent-token store, the issuer) is built once.
 */
public final class ProxyA {

    private static final Logger LOG = System.getLogger("proxy-a");
    /** Where A publishes its geohash-signing public keys for Proxy B operators. */
    public static final String JWKS_PATH = "/.well-known/geohash-keys.jwks";

    /** The top-level keys a reload applies at A (docs/configuration.md, "Reload"); the others need a restart. */
    public static final Set<String> LIVE_KEYS = Set.of("users", "geolocation", "signing", "mode", "oblivious", "tls",
            "gateway.keys");

    /**
     * What A's new requests use: the configuration they follow, the flow built from it, the users (also the
     * issuer's attester) and the JWKS of the signing key.
     */
    record Live(ProxyAConfig config, Handler<ProxyExchange> flow, UserAuthenticator users, GeohashSigner signer,
            String jwks) { }

    private final ProxyServer server;
    private final Builder parts;
    private final LiveConfig<Live> live;

    private ProxyA(ProxyServer server, Builder parts, LiveConfig<Live> live) {
        this.server = server;
        this.parts = parts;
        this.live = live;
    }

    /** The configuration new requests follow now (the one A started with until a reload applies another). */
    public ProxyAConfig config() {
        return live.current().config();
    }

    public ProxyMetrics metrics() {
        return parts.metrics;
    }

    /**
     * Hot reload at A ({@link ConfigReloads}): the keys in {@link #LIVE_KEYS} from the new file, checked as at start
     * (the users file, the signing key, Privacy Pass issuer keys, the geolocation database and the TLS files read
     * again), for requests from the swap on; open tunnels keep running on what they started with.
     */
    public ConfigReloads.Reloadable<ProxyAConfig> reloadable() {
        return ConfigReloads.reloadable(ProxyAConfigLoader::load, LIVE_KEYS, this::prepare);
    }

    /** The live keys of {@code next} with the running values of the others, built and ready to swap in. */
    private ConfigReloads.Prepared<ProxyAConfig> prepare(ProxyAConfig running, ProxyAConfig next) {
        List<String> notes = new ArrayList<>();
        TlsSettings tls = ConfigReloads.liveTls(running.tls(), next.tls(), notes);
        ConfigReloads.noteSpentTokenCapacity("users.privacy-pass.spent-token-capacity", running.users().privacyPass(),
                next.users().privacyPass(), notes);
        if (running.signing().privateKey().isEmpty() && next.signing().privateKey().isEmpty()
                && !running.signing().equals(next.signing())) {
            notes.add("signing: a key generated at start stays until a restart (set signing.private-key)");
        }
        Runnable gatewayKeys = () -> { };
        var gateway = running.gateway();
        if (running.gateway().isPresent() && next.gateway().isPresent() && parts.gateway != null) {
            gatewayKeys = parts.gateway.prepareKeys(next.gateway().get());
            gateway = java.util.Optional.of(running.gateway().get().withKeys(next.gateway().get().keys()));
        }
        ProxyAConfig applied = new ProxyAConfig(running.listen(), running.proxyName(), tls, next.users(),
                next.geolocation(), next.signing(), running.upstream(), running.admin(), running.limits(),
                running.maxTunnelsPerUser(), running.tunnelRatePerUser(), running.logSensitive(),
                running.http3(), running.issuer(), running.udpTemplate(), gateway, running.store(),
                new ProxyAConfig.Oblivious(next.oblivious().mode(), next.oblivious().targets()),
                running.tracing());
        ProxyServer.TlsReload newTls = server.prepareTls(applied.tls());
        if (newTls.changed() && (applied.http3() || applied.issuer().isPresent())) {
            notes.add("tls files: the HTTP/3 listener and the issuer keep the certificate they "
                    + "started with (the TCP listener uses the new one)");
        }
        Live built = parts.build(applied, live.current());
        Runnable newGatewayKeys = gatewayKeys;
        return new ConfigReloads.Prepared<>(applied, notes, () -> {
            newTls.swap().run();
            newGatewayKeys.run();
            live.replace(built);
        });
    }

    public static Future<ProxyA> start(Vertx vertx, ProxyAConfig config) {
        Builder b = new Builder(vertx, config);
        try {
            b.durableParts();
            LiveConfig<Live> live = new LiveConfig<>(b.build(config, null));
            Handler<ProxyExchange> flow = req -> live.current().flow().handle(req);
            b.buildIssuer(() -> live.current().users());
            List<SideService> sides = new java.util.ArrayList<>();
            if (b.issuer != null) {
                sides.add(b.issuer);
            }
            config.gateway().ifPresent(g -> {
                b.gateway = new net.doublehop.proxya.gateway.GatewayService(g, b.metrics.registry(),
                        config.logSensitive());
                sides.add(b.gateway);
            });
            // A's hot path is the relay, so one listener verticle (one event loop) is the starting point.
            ServiceSettings settings = new ServiceSettings("proxy-a", config.proxyName(), config.listen(), config.tls(),
                    config.limits(), config.http3(), 1, config.admin(), config.logSensitive());
            List<Supplier<Future<Void>>> closeLast = List.of(() -> Future.join(b.udpUpstream.close(), b.upstream.close())
                    .mapEmpty(), b::closeShared, b.tracing::close);
            ProxyServer.Parts parts = new ProxyServer.Parts(flow, b.tunnels, b.metrics,
                    Map.of(JWKS_PATH, new AdminServer.Document("application/jwk-set+json", () -> live.current().jwks())),
                    sides, closeLast);
            return ProxyServer.start(vertx, settings, parts).onFailure(e -> {
                        b.closeShared();
                        b.tracing.close();
                    })
                    .map(server -> new ProxyA(server, b, live));
        } catch (RuntimeException e) {
            b.closeShared();
            b.tracing.close();
            return Future.failedFuture(e);
        }
    }

    /** Builds A's parts: those that live across reloads once, the live ones from each configuration. */
    private static final class Builder {
        private final Vertx vertx;
        private final ProxyAConfig config;
        private final ProxyMetrics metrics = new ProxyMetrics("a");
        private UpstreamPool upstream;
        private UdpUpstream udpUpstream;
        private TunnelRegistry tunnels;
        private TunnelAdmission admission;
        private SpentTokenStore spentTokens;
        private IssuerKeys issuerKeys;
        private IssuerSideService issuer;
        /** The OHTTP gateway beside A, when configured: its keys reload. */
        private net.doublehop.proxya.gateway.GatewayService gateway;
        private final SharedState shared;
        private SharedUserLimiter sharedUserLimits;
        private final TunnelTracing tracing;

        Builder(Vertx vertx, ProxyAConfig config) {
            this.vertx = vertx;
            this.config = config;
            this.shared = SharedState.open(vertx, config.store(), metrics);
            this.tracing = TunnelTracing.start(config.tracing(), "proxy-a", config.logSensitive());
            if (tracing.enabled()) {
                LOG.log(Level.INFO, "tracing: OTLP to {0}, sample ratio {1}", config.tracing().otlpEndpoint().get(),
                        config.tracing().sampleRatio());
            }
        }

        Future<Void> closeShared() {
            if (sharedUserLimits != null) {
                sharedUserLimits.close();
            }
            return shared.close();
        }

        /** Per-user limits: over every instance sharing store.redis, else this process's. */
        private UserLimits userLimits() {
            if (shared.redis().isEmpty()) {
                return new UserLimiter(config.maxTunnelsPerUser(), config.tunnelRatePerUser(), System::nanoTime);
            }
            sharedUserLimits = new SharedUserLimiter(shared.redis().get(), config.maxTunnelsPerUser(),
                    config.tunnelRatePerUser());
            return sharedUserLimits;
        }

        /** What lives across reloads: the next-hop pools, the tunnel registry, tunnel and per-user limits. */
        void durableParts() {
            if (config.upstream().insecure()) {
                LOG.log(Level.WARNING, "upstream.insecure: Proxy B's certificate is not verified. Development only.");
            }
            upstream = new UpstreamPool(vertx, config.upstream(), metrics);
            udpUpstream = new UdpUpstream(vertx, config.upstream(), upstream);
            tunnels = new TunnelRegistry(vertx, config.limits().idleTimeout());
            admission = new TunnelAdmission(
                    TunnelLimiter.of(config.limits(), metrics),
                    userLimits());
        }

        /**
         * Everything a request uses under {@code cfg}: forward mode's flow, oblivious mode's, or both behind a
         * selector ({@code mode}). Reads and checks every file the live keys name; throws a {@link ConfigException}
         * naming the key.
         *
         * @param before what runs now (null at start): a reload keeps its signing key when none is configured
         */
        Live build(ProxyAConfig cfg, Live before) {
            UserAuthenticator users = buildUsers(cfg);
            String[] jwks = new String[1];
            GeohashSigner signer = signer(cfg, before, jwks);
            FlowStages stages = new FlowStages(new TargetParser(cfg.udpTemplate()), new UserAuthentication(users),
                    admission, new LocationSigning(new ClientLocator(locator(cfg, before == null), cfg.geolocation()), signer),
                    new TunnelStart(tunnels, admission, metrics, cfg.logSensitive()),
                    new RefusalAnswer(cfg.proxyName(), users.challenges(cfg.proxyName()), admission, metrics),
                    tracing);
            ForwardFlow forward = new ForwardFlow(stages, new NextHopRequest(upstream, udpUpstream,
                    cfg.upstream().presharedKey()), new NextHopAnswers(cfg.proxyName()));
            ProxyAConfig.Oblivious o = cfg.oblivious();
            Handler<ProxyExchange> flow;
            if (o.mode() == ProxyAConfig.Mode.FORWARD) {
                flow = forward;
            } else {
                ObliviousFlow oblivious = new ObliviousFlow(vertx, stages, o, cfg.proxyName(),
                        cfg.upstream().connectTimeout(), cfg.limits().idleTimeout());
                flow = o.mode() == ProxyAConfig.Mode.OBLIVIOUS ? oblivious
                        : new FlowSelector(forward, oblivious, o, cfg.udpTemplate());
            }
            return new Live(cfg, flow, users, signer, jwks[0]);
        }

        /**
         * A's Ed25519 signing key (or one made for this run, for development: kept across reloads) and its JWKS for
         * B's operators ({@code jwks[0]}).
         */
        private GeohashSigner signer(ProxyAConfig cfg, Live before, String[] jwks) {
            PrivateKey key;
            PublicKey pub;
            try {
                if (cfg.signing().privateKey().isPresent()) {
                    key = Ed25519Keys.readPrivateKey(cfg.signing().privateKey().get());
                    pub = Ed25519Keys.publicKeyOf(key);
                } else if (before != null && before.config().signing().privateKey().isEmpty()) {
                    jwks[0] = before.jwks();
                    return before.signer();
                } else {
                    KeyPair kp = Ed25519Keys.generate();
                    key = kp.getPrivate();
                    pub = kp.getPublic();
                    LOG.log(Level.WARNING, "signing.private-key not set: generated an Ed25519 key for this run only; "
                            + "Proxy B must fetch " + JWKS_PATH + " again after every restart. Development only.");
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("signing.private-key: " + cfg.signing().privateKey().map(p -> p + ": ")
                        .orElse("") + e.getMessage(), e);
            }
            jwks[0] = Jwks.toJson(Map.of(cfg.signing().keyId(), pub));
            return new GeohashSigner(key, cfg.signing().keyId(), cfg.signing().validity(), Clock.systemUTC(),
                    new SecureRandom());
        }

        private static IpLocator locator(ProxyAConfig cfg, boolean atStart) {
            IpLocator locator;
            try {
                locator = IpLocators.open(cfg.geolocation().database());
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("geolocation.database: " + cfg.geolocation().database().map(p -> p + ": ")
                        .orElse("") + e.getMessage(), e);
            }
            if (atStart && cfg.geolocation().database().isEmpty()) {
                LOG.log(Level.WARNING, "geolocation.database not set: using the embedded demo table (loopback aliases only)");
            }
            return locator;
        }

        private UserAuthenticator buildUsers(ProxyAConfig cfg) {
            try {
                return new UserAuthenticator(vertx, cfg.users().file().isPresent()
                        ? UserAuthenticator.readUsersFile(cfg.users().file().get()) : Map.of(),
                        cfg.users().presharedKeys(), cfg.tls().clientCa().isPresent(),
                        cfg.users().privacyPass().map(pp -> new PrivacyPassRedeemer(pp.redemption(),
                                spentTokens(pp.spentTokenCapacity()))));
            } catch (IOException e) {
                throw new ConfigException("users.file: cannot read " + cfg.users().file().get() + ": " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }

        /** One spent-token store for A's life: a reload must not forget the tokens already spent. */
        private SpentTokenStore spentTokens(int capacity) {
            if (spentTokens == null) {
                spentTokens = shared.spentTokens(capacity);
            }
            return spentTokens;
        }

        /**
         * The Privacy Pass issuer, when configured: its keys (or a generated one, for development) and the
         * service, whose attester is this proxy's own users as they are at each request ({@code users}).
         */
        void buildIssuer(Supplier<UserAuthenticator> users) {
            if (config.issuer().isEmpty()) {
                return;
            }
            ProxyAConfig.IssuerConfig ic = config.issuer().get();
            SecureRandom random = new SecureRandom();
            if (ic.keys().isEmpty()) {
                issuerKeys = IssuerKeys.generate(random);
                LOG.log(Level.WARNING, "issuer.keys not set: generated an RSA key for this run only; its tokens become "
                        + "worthless at restart and redeemers must fetch the directory again. Development only.");
            } else {
                issuerKeys = IssuerKeys.load(ic.keys(), random);
            }
            IssuerService service = shared.redis().isPresent()
                    ? new IssuerService(vertx, ic.name(), issuerKeys, users,
                            new SharedIssuanceLimiter(shared.redis().get(), ic.tokensPerUserPerHour()),
                            ic.directoryMaxAge(), config.logSensitive(), Clock.systemUTC())
                    : new IssuerService(vertx, ic.name(), issuerKeys, users, ic.tokensPerUserPerHour(),
                            ic.directoryMaxAge(), config.logSensitive(), Clock.systemUTC());
            issuer = new IssuerSideService(ic, config.tls(), config.limits(), issuerKeys, service);
        }
    }

    public int port() {
        return server.port();
    }

    public int adminPort() {
        return server.adminPort();
    }

    /** The JWKS of the signing key: what Proxy B's {@code geohash.trusted-signers} must hold. */
    public String jwks() {
        return live.current().jwks();
    }

    /** The issuer listener's port, or -1 without an issuer. */
    public int issuerPort() {
        return parts.issuer == null ? -1 : parts.issuer.port();
    }

    /** The issuer's public keys in order of preference (empty without an issuer): what redeemers trust. */
    public List<IssuerPublicKey> issuerPublicKeys() {
        return parts.issuerKeys == null ? List.of() : parts.issuerKeys.publicKeys();
    }

    public int upstreamConnections() {
        return parts.upstream.liveConnections();
    }

    /** Graceful stop: not ready, stop accepting, let tunnels finish within {@code grace}, close what is left. */
    public Future<Void> stop(Duration grace) {
        return server.stop(grace);
    }
}
