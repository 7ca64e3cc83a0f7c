package net.doublehop.runtime.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import net.doublehop.runtime.config.HostPort;

/**
 * The operator's port: {@code /metrics} (Prometheus text), {@code /health/live}, {@code /health/ready}
 * (503 while starting or draining), {@code /geofeed.csv} (RFC 8805). Four fixed routes do not need a router.
 */
public final class AdminServer {

    private final Vertx vertx;
    private final Supplier<String> metrics;
    private final BooleanSupplier ready;
    private final String geofeed;
    private HttpServer server;

    public AdminServer(Vertx vertx, Supplier<String> metrics, BooleanSupplier ready, String geofeed) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.ready = ready;
        this.geofeed = geofeed;
    }

    public Future<Integer> listen(HostPort address) {
        server = vertx.createHttpServer(new HttpServerOptions().setHost(address.host()).setPort(address.port()))
                .requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    private void handle(HttpServerRequest req) {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().setStatusCode(405).putHeader("allow", "GET, HEAD").end();
            return;
        }
        switch (req.path()) {
            case "/metrics" -> req.response()
                    .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                    .end(metrics.get());
            case "/health/live" -> req.response().putHeader("content-type", "text/plain").end("live\n");
            case "/health/ready" -> {
                boolean ok = ready.getAsBoolean();
                req.response().setStatusCode(ok ? 200 : 503).putHeader("content-type", "text/plain")
                        .end(ok ? "ready\n" : "not ready\n");
            }
            case "/geofeed.csv" -> req.response().putHeader("content-type", "text/csv; charset=utf-8").end(geofeed);
            default -> req.response().setStatusCode(404).putHeader("content-type", "text/plain").end("not found\n");
        }
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
