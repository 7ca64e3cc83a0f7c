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
 * One proxy listener on one event loop, for either proxy: TCP instances (HTTP/1.1 and HTTP/2; several may share
 * the port) and one HTTP/3 instance when {@code http3: true}. The verticle only wires the server to the flow
 * (B's ConnectFlow, A's ForwardFlow): all request logic lives there.
 */
public final class ProxyListenerVerticle extends VerticleBase {

    private final HttpServerOptions tcp;
    private final ListenerOptions.Http3 quic;
    private final Handler<ProxyExchange> flow;
    private final ProxyMetrics metrics;
    private final String proxyName;
    private final Optional<String> altSvc;
    private HttpServer server;

    /** A TCP listener (HTTP/1.1 and HTTP/2); {@code altSvc} advertises the HTTP/3 listener when there is one. */
    public ProxyListenerVerticle(HttpServerOptions options, Handler<ProxyExchange> flow, ProxyMetrics metrics, String proxyName,
            Optional<String> altSvc) {
        this(options, null, flow, metrics, proxyName, altSvc);
    }

    /** The HTTP/3 listener. */
    public ProxyListenerVerticle(ListenerOptions.Http3 http3, Handler<ProxyExchange> flow, ProxyMetrics metrics, String proxyName) {
        this(null, http3, flow, metrics, proxyName, Optional.empty());
    }

    private ProxyListenerVerticle(HttpServerOptions tcp, ListenerOptions.Http3 quic, Handler<ProxyExchange> flow, ProxyMetrics metrics,
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
                    flow.handle(new VertxExchange(req));
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
