package net.doublehop.proxyb.ohttp;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.listen.ListenerOptions;

/**
 * The Oblivious HTTP relay as a verticle of its own on its own listener (HTTP/1.1 and HTTP/2), with one
 * vertx-web route per configured relay path.
 */
final class RelayVerticle extends VerticleBase {

    private static final Logger LOG = System.getLogger("proxy-b.ohttp-relay");

    private final RelayConfig config;
    private final OhttpMetrics metrics;
    private final KeyCertOptions selfSigned;
    private HttpServer server;
    private RelayHandler handler;

    RelayVerticle(RelayConfig config, OhttpMetrics metrics, KeyCertOptions selfSigned) {
        this.config = config;
        this.metrics = metrics;
        this.selfSigned = selfSigned;
    }

    @Override
    public Future<?> start() {
        handler = new RelayHandler(vertx, config, metrics);
        Router router = Router.router(vertx);
        for (RelayConfig.Route route : config.routes()) {
            router.route(route.path()).handler(ctx -> handler.relay(ctx, route));
        }
        router.route().handler(ctx -> handler.refuse(ctx.response(), "other",
                new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 404, "no relay at this path"), "path"));
        router.route().failureHandler(ctx -> handler.refuse(ctx.response(), "other",
                ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR, "internal error"), "internal"));
        server = vertx.createHttpServer(ListenerOptions.build(config.listen().host(), config.listen().port(),
                config.tls(), selfSigned, Limits.defaults()));
        return server.requestHandler(router).listen().onSuccess(s -> LOG.log(Level.INFO,
                "ohttp-relay listening on {0}:{1,number,#} ({2} route(s))", config.listen().host(), s.actualPort(),
                config.routes().size()));
    }

    int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.eventually(() -> handler == null ? Future.succeededFuture() : handler.close());
    }
}
