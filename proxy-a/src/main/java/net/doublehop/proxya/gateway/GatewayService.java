package net.doublehop.proxya.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import java.security.SecureRandom;
import java.time.Duration;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.service.SideService;

/**
 * The gateway as a side service: one of Proxy A's (deployed after A's listeners, undeployed before they
 * drain) or the only one of {@code proxy-a.jar gateway}. Keys are loaded when it is built, so a bad key file
 * is a configuration error before anything listens.
 */
public final class GatewayService implements SideService {

    private final GatewayVerticle verticle;
    private Vertx vertx;
    private String deploymentId;

    public GatewayService(GatewayConfig config, MeterRegistry registry, boolean logSensitive) {
        this.verticle = new GatewayVerticle(config, GatewayKeys.load(config, new SecureRandom()),
                new OhttpMetrics(registry, "gateway"), logSensitive);
    }

    /** The gateway has its own {@code tls}, so the proxy's certificate is not used. */
    @Override
    public Future<Void> start(Vertx vertx, KeyCertOptions proxySelfSigned) {
        this.vertx = vertx;
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
        return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    }
}
