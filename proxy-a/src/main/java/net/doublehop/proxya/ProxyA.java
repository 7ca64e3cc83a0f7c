package net.doublehop.proxya;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import net.doublehop.geo.IpLocator;
import net.doublehop.geo.IpLocators;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.signature.Ed25519Keys;
import net.doublehop.protocol.signature.GeohashSigner;
import net.doublehop.protocol.signature.Jwks;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.flow.ClientLocator;
import net.doublehop.proxya.flow.ForwardFlow;
import net.doublehop.proxya.flow.UserAuthenticator;
import net.doublehop.proxya.flow.UserLimiter;
import net.doublehop.proxya.issuer.IssuerKeys;
import net.doublehop.proxya.issuer.IssuerService;
import net.doublehop.proxya.upstream.UdpUpstream;
import net.doublehop.proxya.upstream.UpstreamPool;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.server.AdminServer;
import net.doublehop.runtime.auth.InMemorySpentTokenStore;
import net.doublehop.runtime.auth.PrivacyPassRedeemer;
import net.doublehop.runtime.server.ConnectionTracker;
import net.doublehop.runtime.server.ListenerOptions;
import net.doublehop.runtime.server.Listener;
import net.doublehop.runtime.server.TunnelLimiter;
import net.doublehop.runtime.server.tcp.TcpListener;
import net.doublehop.runtime.server.tcp.TcpListenerConfig;
import net.doublehop.runtime.h3.Http3Listener;
import net.doublehop.runtime.h3.QuicTls;

/** A running Proxy A: builds the forward flow from a validated config, starts listeners, stops gracefully. */
public final class ProxyA {

    private static final Logger LOG = System.getLogger("proxy-a");
    /** Where A publishes its geohash-signing public keys for Proxy B operators. */
    public static final String JWKS_PATH = "/.well-known/geohash-keys.jwks";

    private final Vertx vertx;
    private final ProxyAConfig config;
    private final ProxyMetrics metrics = new ProxyMetrics("a");
    private final AtomicBoolean ready = new AtomicBoolean();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<HttpServer> issuerServers = new ArrayList<>();
    private UpstreamPool upstream;
    private UdpUpstream udpUpstream;
    private TunnelRegistry tunnels;
    private AdminServer admin;
    private SelfSignedCertificate selfSigned;
    private String jwks;
    private int port;
    private int adminPort = -1;
    private UserAuthenticator users;
    private IssuerKeys issuerKeys;
    private IssuerService issuer;
    private int issuerPort = -1;
    private Future<Void> stopping;

    private ProxyA(Vertx vertx, ProxyAConfig config) {
        this.vertx = vertx;
        this.config = config;
    }

    public static Future<ProxyA> start(Vertx vertx, ProxyAConfig config) {
        ProxyA a = new ProxyA(vertx, config);
        try {
            ForwardFlow flow = a.buildFlow();
            a.buildIssuer();
            return a.listen(flow).map(a);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private ForwardFlow buildFlow() {
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
        IpLocator locator;
        try {
            locator = IpLocators.open(config.geolocation().database());
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("geolocation.database: " + e.getMessage(), e);
        }
        if (config.geolocation().database().isEmpty()) {
            LOG.log(Level.WARNING, "geolocation.database not set: using the embedded demo table (loopback aliases only)");
        }
        try {
            users = new UserAuthenticator(vertx, config.users().file().isPresent()
                    ? UserAuthenticator.readUsersFile(config.users().file().get()) : Map.of(),
                    config.users().presharedKeys(), config.tls().clientCa().isPresent(),
                    config.users().privacyPass().map(pp -> new PrivacyPassRedeemer(pp.redemption(),
                            new InMemorySpentTokenStore(pp.spentTokenCapacity()))));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        if (config.upstream().insecure()) {
            LOG.log(Level.WARNING, "upstream.insecure: Proxy B's certificate is not verified. Development only.");
        }
        upstream = new UpstreamPool(vertx, config.upstream());
        udpUpstream = new UdpUpstream(vertx, config.upstream(), upstream);
        tunnels = new TunnelRegistry(vertx, config.limits().idleTimeout());
        return new ForwardFlow(config.proxyName(), users, new UserLimiter(config.maxTunnelsPerUser(), config.tunnelRatePerUser(), System::nanoTime),
                new TunnelLimiter(config.limits().maxTunnels(), config.limits().maxTunnelsPerConnection()),
                new ClientLocator(locator, config.geolocation()),
                new GeohashSigner(key, config.signing().keyId(), config.signing().validity(), Clock.systemUTC(),
                        new SecureRandom()),
                upstream, udpUpstream, config.upstream().presharedKey(), tunnels, metrics,
                config.udpTemplate());
    }

    /**
     * The Privacy Pass issuer, when configured: its keys (or a generated one, for development) and the
     * service, whose attester is this proxy's own {@link UserAuthenticator}.
     */
    private void buildIssuer() {
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
        issuer = new IssuerService(vertx, ic.name(), issuerKeys, users, ic.tokensPerUserPerHour(),
                ic.directoryMaxAge(), config.logSensitive(), Clock.systemUTC());
    }

    private Future<Void> listen(ForwardFlow flow) {
        KeyCertOptions keyCert = null;
        if (config.tls().mode() == TlsSettings.Mode.SELF_SIGNED) {
            selfSigned = SelfSignedCertificate.create("localhost");
            keyCert = selfSigned.keyCertOptions();
            LOG.log(Level.WARNING, "tls: no certificate configured; using a self-signed certificate made at start.");
        }
        // A's hot path is the relay, so one event loop is the starting point.
        TcpListener listener = new TcpListener(new TcpListenerConfig(config.listen().host(), config.listen().port(),
                config.tls(), keyCert, config.limits(), config.proxyName(),
                config.http3() ? Optional.of(ListenerOptions.altSvc(config.listen().port())) : Optional.empty(), false),
                flow, metrics);
        listeners.add(listener);
        Future<String> deployed = vertx.deployVerticle(listener, new DeploymentOptions());
        if (config.http3()) {
            Http3Listener h3 = new Http3Listener(config.listen().host(), config.listen().port(),
                    QuicTls.server(vertx, config.tls(), keyCert), config.limits(), flow, metrics);
            listeners.add(h3);
            deployed = deployed.compose(id -> vertx.deployVerticle(h3, new DeploymentOptions()));
        }
        KeyCertOptions sharedCert = keyCert;
        return deployed.compose(id -> {
            port = listener.actualPort();
            return listenIssuer(sharedCert);
        }).compose(v -> {
            if (config.admin().isEmpty()) {
                return Future.succeededFuture();
            }
            Map<String, AdminServer.Document> docs =
                    Map.of(JWKS_PATH, new AdminServer.Document("application/jwk-set+json", jwks));
            admin = new AdminServer(vertx, metrics::scrape, ready::get, docs);
            return admin.listen(config.admin().get()).map(p -> {
                adminPort = p;
                return null;
            });
        }).onSuccess(v -> ready.set(true)).mapEmpty();
    }

    /** The issuer's own listener: same TLS (and client CA) and limits as the proxy listener. */
    private Future<Void> listenIssuer(KeyCertOptions selfSignedCert) {
        if (issuer == null) {
            return Future.succeededFuture();
        }
        ProxyAConfig.IssuerConfig ic = config.issuer().get();
        IssuerListener listener = new IssuerListener(ListenerOptions.build(ic.listen().host(), ic.listen().port(),
                config.tls(), selfSignedCert, config.limits()), issuer);
        return vertx.deployVerticle(listener, new DeploymentOptions())
                .recover(e -> Future.failedFuture(new IllegalStateException("issuer.listen " + ic.listen() + ": "
                        + e.getMessage(), e)))
                .map(id -> {
                    issuerPort = listener.server.actualPort();
                    issuer.start();
                    LOG.log(Level.INFO, "issuer {0} on {1}:{2,number,#}: {3} key(s), preferred {4}", ic.name(),
                            ic.listen().host(), issuerPort, issuerKeys.keys().size(),
                            issuerKeys.keys().get(0).publicKey());
                    return null;
                });
    }

    /**
     * The issuer's listener verticle: its connections are not tunnels' and stay out of the proxy's metrics
     * (the proxy listener is a {@link TcpListener}).
     */
    private final class IssuerListener extends VerticleBase {
        private final HttpServerOptions options;
        private final Handler<HttpServerRequest> handler;
        HttpServer server;

        IssuerListener(HttpServerOptions options, Handler<HttpServerRequest> handler) {
            this.options = options;
            this.handler = handler;
        }

        @Override
        public Future<?> start() {
            server = vertx.createHttpServer(options).requestHandler(handler)
                    .connectionHandler(c -> c.exceptionHandler(ConnectionTracker::logQuietly));
            issuerServers.add(server);
            return server.listen();
        }
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return adminPort;
    }

    /** The JWKS of the signing key: what Proxy B's {@code geohash.trusted-signers} must hold. */
    public String jwks() {
        return jwks;
    }

    /** The issuer listener's port, or -1 without an issuer. */
    public int issuerPort() {
        return issuerPort;
    }

    /** The issuer's public keys in order of preference (empty without an issuer): what redeemers trust. */
    public List<IssuerPublicKey> issuerPublicKeys() {
        return issuerKeys == null ? List.of() : issuerKeys.publicKeys();
    }

    public int upstreamConnections() {
        return upstream.liveConnections();
    }

    public synchronized Future<Void> stop(Duration grace) {
        if (stopping != null) {
            return stopping;
        }
        ready.set(false);
        if (issuer != null) {
            issuer.stop();
        }
        List<Future<Void>> all = new ArrayList<>();
        for (Listener l : listeners) {
            all.add(l.shutdown(grace));
        }
        for (HttpServer s : issuerServers) {
            all.add(s.shutdown(grace));
        }
        stopping = Future.join(all).<Void>mapEmpty().eventually(() -> {
            tunnels.closeAll();
            if (selfSigned != null) {
                selfSigned.delete();
            }
            return (admin == null ? Future.<Void>succeededFuture() : admin.close()).eventually(() -> {
                return Future.join(udpUpstream.close(), upstream.close()).mapEmpty();
            });
        });
        return stopping;
    }
}
