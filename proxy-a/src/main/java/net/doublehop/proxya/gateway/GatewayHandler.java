package net.doublehop.proxya.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.bhttp.BinaryHttp;
import net.doublehop.protocol.bhttp.BinaryHttpException;
import net.doublehop.protocol.bhttp.BinaryHttpRequest;
import net.doublehop.protocol.bhttp.BinaryHttpResponse;
import net.doublehop.protocol.bhttp.Field;
import net.doublehop.protocol.ohttp.GatewayExchange;
import net.doublehop.protocol.ohttp.ObliviousGateway;
import net.doublehop.protocol.ohttp.OhttpException;
import net.doublehop.protocol.ohttp.OhttpMediaTypes;
import net.doublehop.protocol.ohttp.ReplayRegister;
import net.doublehop.protocol.ohttp.RequestDate;
import net.doublehop.runtime.ohttp.BoundedBody;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.ohttp.ProblemResponses;

/**
 * The Oblivious Gateway Resource (RFC 9458 §5, §6.3) and its key configuration resource:
 * <pre>
 * GET  keys-path      application/ohttp-keys, Cache-Control: public, max-age=keys-max-age
 * POST gateway-path   message/ohttp-req in, message/ohttp-res out
 * </pre>
 * Order of a POST: method (405), content type (415), size (413), decapsulation (400, unprotected, as
 * §5.3 requires for errors before the encapsulation is removed: problem type {@code ohttp-key} of §6.3
 * for an unknown key, algorithm pair or a request that does not open); then everything is answered
 * inside an Encapsulated Response: an invalid binary HTTP request (400), {@code Expect: 100-continue}
 * (417, §5.2), a target origin not on the allowlist (403: never a plain one, which would tell the relay
 * which targets exist), and the target's answer or the reason there is none (502/504).
 *
 * <p>Replays (RFC 9458 §6.5): after decapsulation (only a request that decrypts is worth remembering) its
 * {@code enc} goes into the {@link ReplayRegister}; one seen within the window is refused with an
 * encapsulated 400, and a full register refuses new requests with an encapsulated 503 rather than forget
 * early. With {@code replay.date-skew}, a request whose {@code Date} is outside the window (or, with
 * {@code require-date}, has none) gets §6.5.2's encapsulated 400 {@code date} problem with the gateway's
 * {@code Date}. These answers are encapsulated because the request was decrypted (§5.3); the relay that
 * replays learns nothing from them.
 *
 * <p>Nothing of a decrypted request (target, fields, content) is logged unless
 * {@code logging.log-sensitive-data} is on; refusals log their reason alone, at DEBUG.
 */
final class GatewayHandler {

    static final String PROXY_NAME = "ohttp-gateway";
    private static final Logger LOG = System.getLogger("proxy-a.gateway");

    private final GatewayConfig config;
    /** The keys and their published configurations, replaced whole by a reload ({@link #replaceKeys}). */
    private volatile Keys keys;
    private final Set<TargetOrigin> allowed;
    private final TargetForwarder forwarder;
    private final OhttpMetrics metrics;
    private final boolean logSensitive;
    private final String keysCacheControl;
    private final ReplayRegister replays;

    /** @param replays the register shared by every instance of the gateway; null when replay.enabled is false */
    GatewayHandler(GatewayConfig config, ObliviousGateway gateway, TargetForwarder forwarder, OhttpMetrics metrics,
            boolean logSensitive, ReplayRegister replays) {
        this.config = config;
        this.replays = replays;
        this.keys = new Keys(gateway, Buffer.buffer(gateway.keyConfigs()));
        this.allowed = Set.copyOf(config.allowedTargets());
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.logSensitive = logSensitive;
        this.keysCacheControl = "public, max-age=" + config.keysMaxAge().toSeconds();
    }

    /** The gateway's keys and the key configurations it publishes: one value, so the two never disagree. */
    private record Keys(ObliviousGateway gateway, Buffer configs) { }

    /**
     * Hot reload: requests from now on are decrypted with {@code gateway}'s keys and clients are offered its
     * configurations; a request already being answered finishes with the keys it started with.
     */
    void replaceKeys(ObliviousGateway gateway) {
        keys = new Keys(gateway, Buffer.buffer(gateway.keyConfigs()));
    }

    // ---- GET keys-path ----------------------------------------------------------------------------

    void keys(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().putHeader("allow", "GET, HEAD");
            refuse(req.response(), "keys", new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 405,
                    "use GET"), null, "method");
            return;
        }
        metrics.answered("keys", 200);
        HttpServerResponse resp = req.response().putHeader("content-type", OhttpMediaTypes.KEYS)
                .putHeader("cache-control", keysCacheControl);
        Buffer keyConfigs = keys.configs();
        if (req.method() == HttpMethod.HEAD) {
            resp.putHeader("content-length", Integer.toString(keyConfigs.length())).end();
        } else {
            resp.end(keyConfigs);
        }
    }

    // ---- POST gateway-path ------------------------------------------------------------------------

    void gateway(RoutingContext ctx) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = req.response();
        if (req.method() != HttpMethod.POST) {
            resp.putHeader("allow", "POST");
            refuse(resp, "gateway", new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 405,
                    "use POST with " + OhttpMediaTypes.REQUEST), null, "method");
            return;
        }
        if (!OhttpMediaTypes.is(req.getHeader("content-type"), OhttpMediaTypes.REQUEST)) {
            refuse(resp, "gateway", new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 415,
                    "content type must be " + OhttpMediaTypes.REQUEST), null, "content_type");
            return;
        }
        BoundedBody.read(req, config.maxRequestSize()).onComplete(ar -> {
            if (ar.failed()) {
                refuse(resp, "gateway", ar.cause() instanceof ProxyFailure f ? f
                        : ProxyFailure.badRequest("the request body was cut short"), null, "body");
                return;
            }
            byte[] body = ar.result().getBytes();
            metrics.bytesToGateway("gateway", body.length);
            GatewayExchange exchange;
            try {
                exchange = keys.gateway().decapsulate(body);
            } catch (OhttpException e) {
                boolean keyProblem = e.reason() != OhttpException.Reason.MALFORMED;
                refuse(resp, "gateway", ProxyFailure.badRequest(e.getMessage()),
                        keyProblem ? OhttpMediaTypes.KEY_PROBLEM_TYPE : null, e.reason().name().toLowerCase());
                return;
            }
            answer(exchange).onComplete(inner -> {
                byte[] sealed;
                try {
                    BinaryHttpResponse response = inner.succeeded() ? inner.result()
                            : encapsulatedFailure(inner.cause());
                    sealed = exchange.encapsulateResponse(BinaryHttp.encode(response));
                } catch (RuntimeException e) { // a bug must not leave the client waiting: answer 500, sealed
                    LOG.log(Level.WARNING, "gateway: internal error: {0}", e.getClass().getSimpleName());
                    sealed = exchange.encapsulateResponse(BinaryHttp.encode(BinaryHttpResponse.of(500, List.of(),
                            new byte[0])));
                }
                if (!resp.ended() && !resp.closed()) {
                    metrics.answered("gateway", 200); // counted before the answer leaves
                    metrics.bytesToClient("gateway", sealed.length);
                    resp.putHeader("content-type", OhttpMediaTypes.RESPONSE)
                            .putHeader("cache-control", "private, no-store")
                            .end(Buffer.buffer(sealed));
                }
            });
        });
    }

    /** Everything after decapsulation: the answer to encapsulate (success or a failure as a status). */
    private Future<BinaryHttpResponse> answer(GatewayExchange exchange) {
        if (replays != null) {
            switch (replays.register(exchange.enc())) {
                case REPLAYED -> {
                    metrics.clientRequestError("gateway", "replayed");
                    metrics.replayRefused("gateway", "replayed");
                    return Future.failedFuture(ProxyFailure.badRequest(
                            "replayed request: this Encapsulated Request was answered before (RFC 9458 section 6.5)"));
                }
                case FULL -> {
                    metrics.replayRefused("gateway", "register_full");
                    return Future.failedFuture(new ProxyFailure(ProxyErrorType.PROXY_INTERNAL_RESPONSE, 503,
                            "too many requests to remember for replay protection; try again later"));
                }
                case FRESH -> { }
            }
        }
        BinaryHttpRequest request;
        try {
            request = BinaryHttp.decodeRequest(exchange.request());
        } catch (BinaryHttpException e) {
            metrics.clientRequestError("gateway", "binary_http");
            return Future.failedFuture(ProxyFailure.badRequest("invalid binary HTTP request: " + e.getMessage()));
        }
        GatewayConfig.Replay replay = config.replay();
        if (replays != null && replay.dateSkew().isPresent()) {
            Instant now = Instant.now();
            RequestDate.Verdict date = RequestDate.check(request.header("date"), now, replay.dateSkew().get(),
                    replay.requireDate());
            if (date != RequestDate.Verdict.ACCEPTABLE) {
                metrics.clientRequestError("gateway", "date");
                metrics.replayRefused("gateway", "date");
                return Future.succeededFuture(dateProblem(now));
            }
        }
        if (request.header("expect").stream().anyMatch(v -> v.strip().equalsIgnoreCase("100-continue"))) {
            metrics.clientRequestError("gateway", "expect_continue");
            return Future.failedFuture(new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 417,
                    "100-continue cannot be used through Oblivious HTTP (RFC 9458 section 5.2)"));
        }
        if (request.method().equals("CONNECT")) {
            metrics.clientRequestError("gateway", "method");
            return Future.failedFuture(new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 405,
                    "CONNECT cannot be used through Oblivious HTTP"));
        }
        String authority = request.authority().isEmpty()
                ? request.header("host").stream().findFirst().orElse("") : request.authority();
        TargetOrigin origin = TargetOrigin.ofRequest(request.scheme(), authority);
        if (origin == null || !allowed.contains(origin)) {
            metrics.clientRequestError("gateway", "target_not_allowed");
            if (logSensitive) {
                LOG.log(Level.INFO, "gateway: refused target {0}", origin == null ? "(malformed)" : origin);
            }
            return Future.failedFuture(ProxyFailure.denied("the target origin is not allowed at this gateway"));
        }
        if (logSensitive) {
            LOG.log(Level.INFO, "gateway: {0} {1}{2}", request.method(), origin, request.path());
        }
        return forwarder.forward(origin, request).onFailure(e ->
                metrics.gatewayResponseError("gateway", e instanceof ProxyFailure f ? f.type().token() : "other"));
    }

    /**
     * RFC 9458 §6.5.2: the request's {@code Date} is outside the window. The gateway's {@code Date} lets the
     * client retry once with a corrected one (in a fresh encapsulation); no-store because the answer depends
     * on the request's {@code Date}.
     */
    static BinaryHttpResponse dateProblem(Instant now) {
        String title = "date field in request outside of acceptable range";
        return BinaryHttpResponse.of(400, List.of(
                        new Field("date", RequestDate.format(now)),
                        new Field("proxy-status", ProblemResponses.proxyStatus(PROXY_NAME,
                                ProxyFailure.badRequest(title))),
                        new Field("content-type", ProblemResponses.PROBLEM_JSON),
                        new Field("cache-control", "no-store")),
                ProblemResponses.json(OhttpMediaTypes.DATE_PROBLEM_TYPE, title, 400).getBytes(StandardCharsets.UTF_8));
    }

    /** A failure after decapsulation, as the response to encapsulate: status, Proxy-Status, problem details. */
    static BinaryHttpResponse encapsulatedFailure(Throwable cause) {
        ProxyFailure f = cause instanceof ProxyFailure pf ? pf
                : ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR, "internal error");
        String details = f.details() == null ? f.type().token() : f.details();
        return BinaryHttpResponse.of(f.status(), List.of(
                        new Field("proxy-status", ProblemResponses.proxyStatus(PROXY_NAME, f)),
                        new Field("content-type", ProblemResponses.PROBLEM_JSON)),
                ProblemResponses.json(null, details, f.status()).getBytes(StandardCharsets.UTF_8));
    }

    private void refuse(HttpServerResponse resp, String endpoint, ProxyFailure failure, String problemType,
            String reason) {
        metrics.clientRequestError(endpoint, reason);
        metrics.answered(endpoint, failure.status());
        LOG.log(Level.DEBUG, "gateway: refused ({0}): {1}", failure.status(), reason);
        ProblemResponses.send(resp, PROXY_NAME, failure, problemType);
    }

}
