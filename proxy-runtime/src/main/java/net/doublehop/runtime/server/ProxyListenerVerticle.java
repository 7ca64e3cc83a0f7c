package net.doublehop.runtime.server;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Optional;
import net.doublehop.runtime.metrics.ProxyMetrics;

/**
 * One TCP proxy listener (HTTP/1.1 and HTTP/2) on one event loop, for either proxy; several may share the port.
 * The HTTP/3 listener is {@link net.doublehop.runtime.h3.Http3Listener}. The verticle only wires the server to the flow
 * (B's ConnectFlow, A's ForwardFlow): all request logic lives there.
 */
public final class ProxyListenerVerticle extends VerticleBase implements Listener {

    private final HttpServerOptions tcp;
    private final Handler<ProxyExchange> flow;
    private final ProxyMetrics metrics;
    private final String proxyName;
    private final Optional<String> altSvc;
    private HttpServer server;

    /** A TCP listener (HTTP/1.1 and HTTP/2); {@code altSvc} advertises the HTTP/3 listener when there is one. */
    public ProxyListenerVerticle(HttpServerOptions options, Handler<ProxyExchange> flow, ProxyMetrics metrics, String proxyName,
            Optional<String> altSvc) {
        this.tcp = options;
        this.flow = flow;
        this.metrics = metrics;
        this.proxyName = proxyName;
        this.altSvc = altSvc;
    }

    @Override
    public Future<?> start() {
        server = vertx.createHttpServer(tcp);
        server.requestHandler(req -> {
                    altSvc.ifPresent(v -> req.response().putHeader("alt-svc", v));
                    flow.handle(new VertxExchange(req));
                })
                .invalidRequestHandler(new InvalidRequestResponder(proxyName))
                .connectionHandler(new ConnectionTracker(metrics));
        return server.listen();
    }

    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<Void> shutdown(Duration grace) {
        return server == null ? Future.succeededFuture() : server.shutdown(grace);
    }
}
