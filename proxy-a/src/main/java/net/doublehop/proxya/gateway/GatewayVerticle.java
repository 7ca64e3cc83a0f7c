package net.doublehop.proxya.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.ext.web.Router;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.List;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ohttp.GatewayKey;
import net.doublehop.protocol.ohttp.ObliviousGateway;
import net.doublehop.protocol.ohttp.ReplayRegister;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.ohttp.ProblemResponses;
import net.doublehop.runtime.listen.ListenerOptions;

/**
 * The Oblivious HTTP gateway as a verticle of its own: deployed beside Proxy A (config section
 * {@code gateway}) or alone ({@code proxy-a.jar gateway --config FILE}), in {@code event-loops} instances
 * that share one port (Vert.x spreads the connections). Each listener is an HTTP/1.1 + HTTP/2 (ALPN, or h2c
 * with {@code tls: none}) Vert.x server whose two routes are a vertx-web Router's.
 */
public final class GatewayVerticle extends VerticleBase {

    private static final Logger LOG = System.getLogger("proxy-a.gateway");

    private final GatewayConfig config;
    private final List<GatewayKey> keys;
    private final OhttpMetrics metrics;
    private final boolean logSensitive;
    private final ReplayRegister replays;
    private final KeyCertOptions selfSigned;
    private final int connectionsPerTarget;
    private final int port;
    private HttpServer server;
    private volatile GatewayHandler handler;
    private TargetForwarder forwarder;

    /**
     * One of the gateway's instances (one per event loop; GatewayService deploys them). What must be one for
     * the whole gateway is made there and shared: the replay register (a replay may reach any instance) and
     * the self-signed certificate (null unless {@code tls} is omitted).
     *
     * @param connectionsPerTarget this instance's share of {@code max-connections-per-target}
     * @param port the port to listen on: the configured one, or the one the first instance was given for 0
     */
    GatewayVerticle(GatewayConfig config, List<GatewayKey> keys, OhttpMetrics metrics, boolean logSensitive,
            ReplayRegister replays, KeyCertOptions selfSigned, int connectionsPerTarget, int port) {
        this.config = config;
        this.keys = List.copyOf(keys);
        this.metrics = metrics;
        this.logSensitive = logSensitive;
        this.replays = replays;
        this.selfSigned = selfSigned;
        this.connectionsPerTarget = connectionsPerTarget;
        this.port = port;
    }

    @Override
    public Future<?> start() {
        forwarder = new TargetForwarder(vertx, config, connectionsPerTarget);
        GatewayHandler handler = new GatewayHandler(config, new ObliviousGateway(keys, new SecureRandom()), forwarder,
                metrics, logSensitive, replays);
        this.handler = handler;
        Router router = Router.router(vertx);
        router.route(config.keysPath()).handler(handler::keys);
        router.route(config.gatewayPath()).handler(handler::gateway);
        router.route().handler(ctx -> {
            metrics.answered("other", 404);
            ProblemResponses.send(ctx.response(), GatewayHandler.PROXY_NAME, new ProxyFailure(
                    ProxyErrorType.HTTP_REQUEST_ERROR, 404, "not found"), null);
        });
        router.route().failureHandler(ctx -> {
            LOG.log(Level.WARNING, "gateway: internal error: {0}",
                    ctx.failure() == null ? ctx.statusCode() : ctx.failure().getClass().getSimpleName());
            ProblemResponses.send(ctx.response(), GatewayHandler.PROXY_NAME,
                    ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR, "internal error"), null);
        });
        server = vertx.createHttpServer(ListenerOptions.build(config.listen().host(), port,
                config.tls(), selfSigned, Limits.defaults()));
        return server.requestHandler(router).listen();
    }

    /** Hot reload: requests from now on use {@code next} (after start; before, there is nothing to replace). */
    void replaceKeys(List<GatewayKey> next) {
        GatewayHandler h = handler;
        if (h != null) {
            h.replaceKeys(new ObliviousGateway(List.copyOf(next), new SecureRandom()));
        }
    }

    /** The bound port (after start). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.eventually(() -> forwarder == null ? Future.succeededFuture() : forwarder.close());
    }
}
