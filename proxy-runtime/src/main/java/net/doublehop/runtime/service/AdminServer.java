package net.doublehop.runtime.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerOptions;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import net.doublehop.runtime.config.HostPort;

/**
 * The operator's port: {@code /metrics} (Prometheus text), {@code /health/live}, {@code /health/ready}
 * (503 while starting or draining), plus fixed documents each proxy publishes (B: {@code /geofeed.csv},
 * A: its JWKS). A handful of fixed routes does not need a router.
 */
public final class AdminServer {

    private final Vertx vertx;
    private final Supplier<String> metrics;
    private final BooleanSupplier ready;
    private final Map<String, Document> documents;
    private HttpServer server;

    /** A document served at a path; its body is asked for at each request (a reload may change it). */
    public record Document(String contentType, Supplier<String> body) {
        /** A fixed document. */
        public Document(String contentType, String body) {
            this(contentType, () -> body);
        }
    }

    public AdminServer(Vertx vertx, Supplier<String> metrics, BooleanSupplier ready, Map<String, Document> documents) {
        this.vertx = vertx;
        this.metrics = metrics;
        this.ready = ready;
        this.documents = Map.copyOf(documents);
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
            default -> {
                Document d = documents.get(req.path());
                if (d == null) {
                    req.response().setStatusCode(404).putHeader("content-type", "text/plain").end("not found\n");
                } else {
                    req.response().putHeader("content-type", d.contentType()).end(d.body().get());
                }
            }
        }
    }

    public Future<Void> close() {
        return server == null ? Future.succeededFuture() : server.close();
    }
}
