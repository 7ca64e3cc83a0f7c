package net.doublehop.proxyb.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.Optional;
import net.doublehop.proxyb.flow.ConnectFlow;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.server.ConnectionTracker;
import net.doublehop.runtime.server.InvalidRequestResponder;
import net.doublehop.runtime.server.ListenerOptions;

/**
 * One proxy listener on one event loop; Proxy B deploys one TCP instance per event loop sharing the port, and
 * one HTTP/3 instance when {@code http3: true}. The verticle only wires the server to the flow: all request
 * logic lives in {@link ConnectFlow}.
 */
public final class ProxyListenerVerticle extends VerticleBase {

    private final HttpServerOptions tcp;
    private final ListenerOptions.Http3 quic;
    private final ConnectFlow flow;
    private final ProxyMetrics metrics;
    private final String proxyName;
    private final Optional<String> altSvc;
    private HttpServer server;

    /** A TCP listener (HTTP/1.1 and HTTP/2); {@code altSvc} advertises the HTTP/3 listener when there is one. */
    public ProxyListenerVerticle(HttpServerOptions options, ConnectFlow flow, ProxyMetrics metrics, String proxyName,
            Optional<String> altSvc) {
        this(options, null, flow, metrics, proxyName, altSvc);
    }

    /** The HTTP/3 listener. */
    public ProxyListenerVerticle(ListenerOptions.Http3 http3, ConnectFlow flow, ProxyMetrics metrics, String proxyName) {
        this(null, http3, flow, metrics, proxyName, Optional.empty());
    }

    private ProxyListenerVerticle(HttpServerOptions tcp, ListenerOptions.Http3 quic, ConnectFlow flow, ProxyMetrics metrics,
            String proxyName, Optional<String> altSvc) {
        this.tcp = tcp;
        this.quic = quic;
        this.flow = flow;
        this.metrics = metrics;
        this.proxyName = proxyName;
        this.altSvc = altSvc;
    }

    @Override
    public Future<?> start() {
        server = tcp != null ? vertx.createHttpServer(tcp) : vertx.createHttpServer(quic.config(), quic.ssl());
        server.requestHandler(req -> {
                    altSvc.ifPresent(v -> req.response().putHeader("alt-svc", v));
                    flow.handle(req);
                })
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
