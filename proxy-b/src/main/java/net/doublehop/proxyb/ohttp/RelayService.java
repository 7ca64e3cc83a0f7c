package net.doublehop.proxyb.ohttp;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.service.SideService;

/** The relay as one of Proxy B's side services: deployed after B's listeners, undeployed before they drain. */
public final class RelayService implements SideService {

    private static final Logger LOG = System.getLogger("proxy-b.ohttp-relay");

    private final RelayConfig config;
    private final OhttpMetrics metrics;
    private Vertx vertx;
    private RelayVerticle verticle;
    private String deploymentId;
    private SelfSignedCertificate ownCert;

    public RelayService(RelayConfig config, MeterRegistry registry) {
        this.config = config;
        this.metrics = new OhttpMetrics(registry, "relay");
    }

    @Override
    public Future<Void> start(Vertx vertx, KeyCertOptions proxySelfSigned) {
        this.vertx = vertx;
        KeyCertOptions cert = proxySelfSigned;
        if (config.tls().mode() == TlsSettings.Mode.SELF_SIGNED && cert == null) {
            ownCert = SelfSignedCertificate.create("localhost");
            cert = ownCert.keyCertOptions();
        }
        if (config.tls().mode() == TlsSettings.Mode.SELF_SIGNED) {
            LOG.log(Level.WARNING, "ohttp-relay.tls not set: serving a self-signed certificate. Development only.");
        }
        verticle = new RelayVerticle(config, metrics, cert);
        return vertx.deployVerticle(verticle).map(id -> {
            deploymentId = id;
            return null;
        });
    }

    public int port() {
        return verticle.port();
    }

    @Override
    public Future<Void> stop(Duration grace) {
        Future<Void> undeployed = deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
        return undeployed.andThen(ar -> {
            if (ownCert != null) {
                ownCert.delete();
            }
        });
    }
}
