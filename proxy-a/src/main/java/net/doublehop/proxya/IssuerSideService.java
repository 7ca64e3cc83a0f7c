package net.doublehop.proxya;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.KeyCertOptions;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.issuer.IssuerKeys;
import net.doublehop.proxya.issuer.IssuerService;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.listen.ConnectionTracker;
import net.doublehop.runtime.listen.ListenerOptions;
import net.doublehop.runtime.service.SideService;

/**
 * The Privacy Pass issuer's own listener beside the proxy: the proxy's TLS (and client CA) and limits, its
 * connections kept out of the proxy's tunnel metrics.
 */
final class IssuerSideService implements SideService {

    private static final Logger LOG = System.getLogger("proxy-a");

    private final ProxyAConfig.IssuerConfig config;
    private final TlsSettings tls;
    private final Limits limits;
    private final IssuerKeys keys;
    private final IssuerService issuer;
    private HttpServer server;

    IssuerSideService(ProxyAConfig.IssuerConfig config, TlsSettings tls, Limits limits, IssuerKeys keys,
            IssuerService issuer) {
        this.config = config;
        this.tls = tls;
        this.limits = limits;
        this.keys = keys;
        this.issuer = issuer;
    }

    @Override
    public Future<Void> start(Vertx vertx, KeyCertOptions selfSigned) {
        server = vertx.createHttpServer(ListenerOptions.build(config.listen().host(), config.listen().port(), tls,
                        selfSigned, limits))
                .requestHandler(issuer)
                .connectionHandler(c -> c.exceptionHandler(ConnectionTracker::logQuietly));
        return server.listen()
                .recover(e -> Future.failedFuture(new IllegalStateException("issuer.listen " + config.listen() + ": "
                        + e.getMessage(), e)))
                .map(s -> {
                    issuer.start();
                    LOG.log(Level.INFO, "issuer {0} on {1}:{2,number,#}: {3} key(s), preferred {4}", config.name(),
                            config.listen().host(), s.actualPort(), keys.keys().size(), keys.keys().get(0).publicKey());
                    return null;
                });
    }

    /** The listener's port, or -1 before it listens. */
    int port() {
        return server == null ? -1 : server.actualPort();
    }

    @Override
    public Future<Void> stop(Duration grace) {
        issuer.stop();
        return server == null ? Future.succeededFuture() : server.shutdown(grace);
    }
}
