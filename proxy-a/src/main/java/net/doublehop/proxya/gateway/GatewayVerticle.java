package net.doublehop.proxya.gateway;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SelfSignedCertificate;
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
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.ohttp.ProblemResponses;
import net.doublehop.runtime.listen.ListenerOptions;

/**
 * The Oblivious HTTP gateway as a verticle of its own: deployed beside Proxy A (config section
 * {@code gateway}) or alone ({@code proxy-a.jar gateway --config FILE}). Its listener is an HTTP/1.1 +
 * HTTP/2 (ALPN, or h2c with {@code tls: none}) Vert.x server whose two routes are a vertx-web Router's.
 */
public final class GatewayVerticle extends VerticleBase {

    private static final Logger LOG = System.getLogger("proxy-a.gateway");

    private final GatewayConfig config;
    private final List<GatewayKey> keys;
    private final OhttpMetrics metrics;
    private final boolean logSensitive;
    private final ReplayRegister replays;
    private HttpServer server;
    private TargetForwarder forwarder;
    private SelfSignedCertificate selfSigned;

    public GatewayVerticle(GatewayConfig config, List<GatewayKey> keys, OhttpMetrics metrics, boolean logSensitive) {
        this.config = config;
        this.keys = List.copyOf(keys);
        this.metrics = metrics;
        this.logSensitive = logSensitive;
        GatewayConfig.Replay replay = config.replay();
        this.replays = replay.enabled() ? new ReplayRegister(replay.window(), replay.maxEntries()) : null;
        if (replays != null) {
            metrics.replayRegister(replays::size, replay.maxEntries());
        }
    }

    @Override
    public Future<?> start() {
        forwarder = new TargetForwarder(vertx, config);
        GatewayHandler handler = new GatewayHandler(config, new ObliviousGateway(keys, new SecureRandom()), forwarder,
                metrics, logSensitive, replays);
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
        if (replays == null) {
            LOG.log(Level.WARNING, "gateway.replay.enabled is false: a replayed request (RFC 9458 section 6.5) "
                    + "is answered again");
        }
        if (config.tls().mode() == TlsSettings.Mode.SELF_SIGNED) {
            selfSigned = SelfSignedCertificate.create("localhost");
            LOG.log(Level.WARNING, "gateway.tls not set: serving a self-signed certificate. Development only.");
        }
        server = vertx.createHttpServer(ListenerOptions.build(config.listen().host(), config.listen().port(),
                config.tls(), selfSigned == null ? null : selfSigned.keyCertOptions(), Limits.defaults()));
        return server.requestHandler(router).listen().onSuccess(s -> LOG.log(Level.INFO,
                "gateway listening on {0}:{1,number,#} ({2} key(s), {3} allowed target origin(s))",
                config.listen().host(), s.actualPort(), keys.size(), config.allowedTargets().size()));
    }

    /** The bound port (after start). */
    public int port() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
        return closed.eventually(() -> forwarder == null ? Future.succeededFuture() : forwarder.close())
                .andThen(ar -> {
                    if (selfSigned != null) {
                        selfSigned.delete();
                    }
                });
    }
}
