package net.doublehop.proxya.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;

/** Deploys the gateway verticle (beside Proxy A or alone) and undeploys it again. */
public final class GatewayService {

    private final Vertx vertx;
    private final GatewayVerticle verticle;
    private String deploymentId;

    private GatewayService(Vertx vertx, GatewayVerticle verticle) {
        this.vertx = vertx;
        this.verticle = verticle;
    }

    /** Loads the keys (a config error fails the future) and deploys; metrics go to {@code registry}. */
    public static Future<GatewayService> start(Vertx vertx, GatewayConfig config, MeterRegistry registry,
            boolean logSensitive) {
        GatewayVerticle verticle;
        try {
            verticle = new GatewayVerticle(config, GatewayKeys.load(config, new SecureRandom()),
                    new net.doublehop.runtime.ohttp.OhttpMetrics(registry, "gateway"), logSensitive);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        GatewayService service = new GatewayService(vertx, verticle);
        return vertx.deployVerticle(verticle).map(id -> {
            service.deploymentId = id;
            return service;
        });
    }

    public int port() {
        return verticle.port();
    }

    public Future<Void> stop() {
        return deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId);
    }
}
