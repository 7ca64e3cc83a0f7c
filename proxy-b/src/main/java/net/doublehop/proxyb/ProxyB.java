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

/**
 * A running Proxy B: builds its request flows (CONNECT and CONNECT-UDP) from a validated config and runs them on the
 * start-up and shutdown both proxies share ({@link ProxyServer}).
 */
public final class ProxyB {

    /** Signature nonces remembered at once (geohash.bind-nonce): ~100 bytes each. */
    static final int NONCE_CAPACITY = 1_000_000;

    private final ProxyBConfig config;
    private final ProxyServer server;
    private final ProxyMetrics metrics;

    private ProxyB(ProxyBConfig config, ProxyServer server, ProxyMetrics metrics) {
        this.config = config;
        this.server = server;
        this.metrics = metrics;
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

    /** Builds the flows and what the server closes after them; one use. */
    private static final class Builder {
        private final Vertx vertx;
        private final ProxyBConfig config;
        private final ProxyMetrics metrics = new ProxyMetrics("b");
        private TunnelRegistry tunnels;
        private HostResolver resolver;
        private SharedState shared;

        Builder(Vertx vertx, ProxyBConfig config) {
            this.vertx = vertx;
            this.config = config;
        }

        Future<ProxyB> start(int instances) {
            Handler<ProxyExchange> flow = buildFlow();
            ServiceSettings settings = new ServiceSettings("proxy-b", config.proxyName(), config.listen(), config.tls(),
                    config.limits(), config.http3(), instances, config.admin(), config.logSensitive());
            HostResolver dns = resolver;
            SharedState store = shared;
            ProxyServer.Parts parts = new ProxyServer.Parts(flow, tunnels, metrics,
                    Map.of("/geofeed.csv", new AdminServer.Document("text/csv; charset=utf-8", Geofeed.csv(config.pools()))),
                    config.ohttpRelay().<List<net.doublehop.runtime.service.SideService>>map(r ->
                            List.of(new net.doublehop.proxyb.ohttp.RelayService(r, metrics.registry())))
                            .orElse(List.of()),
                    List.of(dns::close, store::close));
            return ProxyServer.start(vertx, settings, parts)
                    .onFailure(e -> {
                        dns.close();
                        store.close();
                    })
                    .map(server -> new ProxyB(config, server, metrics));
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
            resolver = new HostResolver(vertx, dns);

            tunnels = new TunnelRegistry(vertx, config.limits().idleTimeout());
            boolean mtls = config.tls().clientCa().isPresent();
            shared = SharedState.open(vertx, config.store(), metrics);
            Optional<PrivacyPassRedeemer> privacyPass = config.auth().privacyPass().map(pp -> new PrivacyPassRedeemer(
                    pp.redemption(), shared.spentTokens(pp.spentTokenCapacity())));
            List<String> challenges = new ArrayList<>();
            privacyPass.ifPresent(pp -> challenges.add(pp.challengeHeader()));
            if (!config.auth().presharedKeys().isEmpty() || privacyPass.isEmpty()) {
                challenges.add("Preshared realm=\"" + config.proxyName() + "\"");
            }
            CallerAuthenticator authenticator = new CallerAuthenticator(config.auth().presharedKeys(), mtls,
                    config.auth().allowUnauthenticated(), privacyPass);
            GeohashCheck geohash = new GeohashCheck(verifier, config.geohash().requireSignature(),
                    config.geohash().maxPrecision(), config.geohash().bindNonce()
                            ? new NonceBinding(Clock.systemUTC(), config.geohash().maxClockSkew().toSeconds(),
                                    NONCE_CAPACITY) : null);
            EgressSelection egress = new EgressSelection(new PoolSelector(config.pools(), config.defaultPool()));
            TunnelLimiter limiter = new TunnelLimiter(config.limits().maxTunnels(), config.limits().maxTunnelsPerConnection());
            DestinationResolver destinations = new DestinationResolver(vertx, resolver,
                    new DestinationPolicy(config.destinationAllow()), config.dns().timeout());
            AdmissionStages stages = new AdmissionStages(authenticator, geohash, egress, limiter, destinations,
                    new FailureResponder(config.proxyName(), challenges, metrics), new TunnelSummary(metrics, config.logSensitive()));
            ConnectFlow connect = new ConnectFlow(new RequestParser(), stages,
                    new EgressDialer(vertx, config.limits().connectTimeout()),
                    tunnels);
            ConnectUdpFlow connectUdp = new ConnectUdpFlow(vertx,
                    config.udpTemplate(),
                    stages, config.limits().idleTimeout());
            return req -> {
                if (net.doublehop.runtime.listen.ConnectTargets.isConnectUdp(req)) {
                    connectUdp.handle(req);
                } else {
                    connect.handle(req);
                }
            };
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

    public ProxyBConfig config() {
        return config;
    }

    /**
     * Graceful stop: not ready, stop accepting, let tunnels finish until {@code grace} runs out, then
     * close what is left.
     */
    public Future<Void> stop(Duration grace) {
        return server.stop(grace);
    }
}
