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

/**
 * A running Proxy A: builds its request flow (forward mode) and its Privacy Pass issuer from a validated config and
 * runs them on the start-up and shutdown both proxies share ({@link ProxyServer}).
 */
public final class ProxyA {

    private static final Logger LOG = System.getLogger("proxy-a");
    /** Where A publishes its geohash-signing public keys for Proxy B operators. */
    public static final String JWKS_PATH = "/.well-known/geohash-keys.jwks";

    private final ProxyServer server;
    private final String jwks;
    private final UpstreamPool upstream;
    private final IssuerKeys issuerKeys;
    private final IssuerSideService issuer;
    private final UserAuthenticator users;
    private final ProxyAConfig config;
    private final ProxyMetrics metrics;

    private ProxyA(ProxyServer server, Builder built) {
        this.server = server;
        this.jwks = built.jwks;
        this.upstream = built.upstream;
        this.issuerKeys = built.issuerKeys;
        this.issuer = built.issuer;
        this.users = built.users;
        this.config = built.config;
        this.metrics = built.metrics;
    }

    /** The configuration A started with (what a reload compares against). */
    public ProxyAConfig config() {
        return config;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /**
     * Hot reload of what may change while A runs: the users file ({@code users.file}, read again) and
     * {@code users.preshared-keys}, for requests from now on; open tunnels are not touched. Throws a
     * {@link ConfigException} naming the key when the file cannot be used; the running users then stay.
     */
    public void reloadUsers(ProxyAConfig next) {
        Map<String, String> fresh;
        try {
            fresh = next.users().file().isPresent()
                    ? UserAuthenticator.readUsersFile(next.users().file().get()) : Map.of();
        } catch (IOException e) {
            throw new ConfigException("users.file: cannot read " + next.users().file().get(), e);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        users.replaceUsers(fresh, next.users().presharedKeys());
    }

    public static Future<ProxyA> start(Vertx vertx, ProxyAConfig config) {
        Builder b = new Builder(vertx, config);
        try {
            Handler<ProxyExchange> flow = b.buildFlow();
            b.buildIssuer();
            List<SideService> sides = new java.util.ArrayList<>();
            if (b.issuer != null) {
                sides.add(b.issuer);
            }
            config.gateway().ifPresent(g -> sides.add(new net.doublehop.proxya.gateway.GatewayService(g,
                    b.metrics.registry(), config.logSensitive())));
            // A's hot path is the relay, so one listener verticle (one event loop) is the starting point.
            ServiceSettings settings = new ServiceSettings("proxy-a", config.proxyName(), config.listen(), config.tls(),
                    config.limits(), config.http3(), 1, config.admin(), config.logSensitive());
            List<Supplier<Future<Void>>> closeLast = List.of(() -> Future.join(b.udpUpstream.close(), b.upstream.close())
                    .mapEmpty(), b::closeShared);
            ProxyServer.Parts parts = new ProxyServer.Parts(flow, b.tunnels, b.metrics,
                    Map.of(JWKS_PATH, new AdminServer.Document("application/jwk-set+json", b.jwks)), sides, closeLast);
            return ProxyServer.start(vertx, settings, parts).onFailure(e -> b.closeShared())
                    .map(server -> new ProxyA(server, b));
        } catch (RuntimeException e) {
            b.closeShared();
            return Future.failedFuture(e);
        }
    }

    /** Builds A's parts from its config; one use. */
    private static final class Builder {
        private final Vertx vertx;
        private final ProxyAConfig config;
        private final ProxyMetrics metrics = new ProxyMetrics("a");
        private String jwks;
        private UserAuthenticator users;
        private UpstreamPool upstream;
        private UdpUpstream udpUpstream;
        private TunnelRegistry tunnels;
        private IssuerKeys issuerKeys;
        private IssuerSideService issuer;
        private final SharedState shared;
        private SharedUserLimiter sharedUserLimits;

        Builder(Vertx vertx, ProxyAConfig config) {
            this.vertx = vertx;
            this.config = config;
            this.shared = SharedState.open(vertx, config.store(), metrics);
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

        /** Forward mode's flow, oblivious mode's, or both behind a selector ({@code mode}). */
        Handler<ProxyExchange> buildFlow() {
            users = buildUsers();
            if (config.upstream().insecure()) {
                LOG.log(Level.WARNING, "upstream.insecure: Proxy B's certificate is not verified. Development only.");
            }
            upstream = new UpstreamPool(vertx, config.upstream());
            udpUpstream = new UdpUpstream(vertx, config.upstream(), upstream);
            tunnels = new TunnelRegistry(vertx, config.limits().idleTimeout());
            TunnelAdmission admission = new TunnelAdmission(
                    new TunnelLimiter(config.limits().maxTunnels(), config.limits().maxTunnelsPerConnection()),
                    userLimits());
            FlowStages stages = new FlowStages(new TargetParser(config.udpTemplate()), new UserAuthentication(users),
                    admission, new LocationSigning(new ClientLocator(locator(), config.geolocation()), signer()),
                    new TunnelStart(tunnels, admission, metrics),
                    new RefusalAnswer(config.proxyName(), users.challenges(config.proxyName()), admission, metrics));
            ForwardFlow forward = new ForwardFlow(stages, new NextHopRequest(upstream, udpUpstream,
                    config.upstream().presharedKey()), new NextHopAnswers(config.proxyName()));
            ProxyAConfig.Oblivious o = config.oblivious();
            if (o.mode() == ProxyAConfig.Mode.FORWARD) {
                return forward;
            }
            ObliviousFlow oblivious = new ObliviousFlow(vertx, stages, o, config.proxyName(),
                    config.upstream().connectTimeout(), config.limits().idleTimeout());
            return o.mode() == ProxyAConfig.Mode.OBLIVIOUS ? oblivious
                    : new FlowSelector(forward, oblivious, o, config.udpTemplate());
        }

        /** A's Ed25519 signing key (or one made for this run, for development) and its JWKS for B's operators. */
        private GeohashSigner signer() {
            PrivateKey key;
            PublicKey pub;
            try {
                if (config.signing().privateKey().isPresent()) {
                    key = Ed25519Keys.readPrivateKey(config.signing().privateKey().get());
                    pub = Ed25519Keys.publicKeyOf(key);
                } else {
                    KeyPair kp = Ed25519Keys.generate();
                    key = kp.getPrivate();
                    pub = kp.getPublic();
                    LOG.log(Level.WARNING, "signing.private-key not set: generated an Ed25519 key for this run only; "
                            + "Proxy B must fetch " + JWKS_PATH + " again after every restart. Development only.");
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("signing.private-key: " + e.getMessage(), e);
            }
            jwks = Jwks.toJson(Map.of(config.signing().keyId(), pub));
            return new GeohashSigner(key, config.signing().keyId(), config.signing().validity(), Clock.systemUTC(),
                    new SecureRandom());
        }

        private IpLocator locator() {
            IpLocator locator;
            try {
                locator = IpLocators.open(config.geolocation().database());
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("geolocation.database: " + e.getMessage(), e);
            }
            if (config.geolocation().database().isEmpty()) {
                LOG.log(Level.WARNING, "geolocation.database not set: using the embedded demo table (loopback aliases only)");
            }
            return locator;
        }

        private UserAuthenticator buildUsers() {
            try {
                return new UserAuthenticator(vertx, config.users().file().isPresent()
                        ? UserAuthenticator.readUsersFile(config.users().file().get()) : Map.of(),
                        config.users().presharedKeys(), config.tls().clientCa().isPresent(),
                        config.users().privacyPass().map(pp -> new PrivacyPassRedeemer(pp.redemption(),
                                shared.spentTokens(pp.spentTokenCapacity()))));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(e.getMessage(), e);
            }
        }

        /**
         * The Privacy Pass issuer, when configured: its keys (or a generated one, for development) and the
         * service, whose attester is this proxy's own {@link UserAuthenticator}.
         */
        void buildIssuer() {
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
        return jwks;
    }

    /** The issuer listener's port, or -1 without an issuer. */
    public int issuerPort() {
        return issuer == null ? -1 : issuer.port();
    }

    /** The issuer's public keys in order of preference (empty without an issuer): what redeemers trust. */
    public List<IssuerPublicKey> issuerPublicKeys() {
        return issuerKeys == null ? List.of() : issuerKeys.publicKeys();
    }

    public int upstreamConnections() {
        return upstream.liveConnections();
    }

    /** Graceful stop: not ready, stop accepting, let tunnels finish within {@code grace}, close what is left. */
    public Future<Void> stop(Duration grace) {
        return server.stop(grace);
    }
}
