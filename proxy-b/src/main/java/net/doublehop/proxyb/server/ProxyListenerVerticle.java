package net.doublehop.proxyb.server;

import net.doublehop.runtime.server.ConnectionTracker;
import net.doublehop.runtime.server.InvalidRequestResponder;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import net.doublehop.proxyb.flow.ConnectFlow;
import net.doublehop.runtime.metrics.ProxyMetrics;

/**
 * One proxy listener on one event loop; Proxy B deploys one instance per event loop sharing the port.
 * The verticle only wires the server to the flow: all request logic lives in {@link ConnectFlow}.
 */
public final class ProxyListenerVerticle extends VerticleBase {

    private final HttpServerOptions options;
    private final ConnectFlow flow;
    private final ProxyMetrics metrics;
    private final String proxyName;
    private HttpServer server;

    public ProxyListenerVerticle(HttpServerOptions options, ConnectFlow flow, ProxyMetrics metrics, String proxyName) {
        this.options = options;
        this.flow = flow;
        this.metrics = metrics;
        this.proxyName = proxyName;
    }

    @Override
    public Future<?> start() {
        server = vertx.createHttpServer(options)
                .requestHandler(flow)
                .invalidRequestHandler(new InvalidRequestResponder(proxyName))
                .connectionHandler(new ConnectionTracker(metrics));
        return server.listen();
    }

    public int actualPort() {
        return server.actualPort();
    }

    /** Stops accepting, sends GOAWAY, and waits up to {@code grace} for open streams to finish. */
    public Future<Void> shutdown(Duration grace) {
        return server == null ? Future.succeededFuture() : server.shutdown(grace);
    }
}
