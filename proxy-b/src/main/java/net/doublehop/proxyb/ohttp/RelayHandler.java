package net.doublehop.proxyb.ohttp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import javax.net.ssl.SSLException;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ohttp.OhttpMediaTypes;
import net.doublehop.runtime.ohttp.BoundedBody;
import net.doublehop.runtime.ohttp.OhttpMetrics;
import net.doublehop.runtime.ohttp.ProblemResponses;

/**
 * The Oblivious Relay Resource (RFC 9458 §6.2): takes a {@code message/ohttp-req} POST on a relay path and
 * sends the same bytes to that path's one gateway, then the gateway's answer back.
 *
 * <p>What the gateway receives is built from nothing rather than copied and filtered: {@code POST}, the
 * gateway URL, {@code Content-Type: message/ohttp-req} and the body, untouched. No field of the client's
 * request goes on (not Forwarded, X-Forwarded-For, Via, Cookie, User-Agent, Authorization, nor any unknown
 * one, which §6.2 says a relay SHOULD NOT forward), nothing is added (no Via, no Forwarded), and the relay's
 * listener never asks for a client certificate. The answer back carries the gateway's status, its
 * Content-Type, Cache-Control and Proxy-Status, and its body.
 *
 * <p>Refusals: unknown path 404 (the router), not POST 405, other content type 415, empty body 400, body
 * over max-request-size 413; the gateway unreachable or failing 502, too slow 504. Nothing about a request
 * is logged, and never the client's address.
 */
final class RelayHandler {

    static final String PROXY_NAME = "ohttp-relay";
    private static final Logger LOG = System.getLogger("proxy-b.ohttp-relay");

    private final Vertx vertx;
    private final RelayConfig config;
    private final OhttpMetrics metrics;
    private final HttpClientAgent http1;
    private final HttpClientAgent alpn;

    RelayHandler(Vertx vertx, RelayConfig config, OhttpMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.metrics = metrics;
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(config.maxConnectionsPerGateway())
                .setHttp2MaxSize(Math.max(1, config.maxConnectionsPerGateway() / 8)).setMaxWaitQueueSize(4096);
        HttpClientOptions base = new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true).setTcpNoDelay(true);
        this.http1 = vertx.httpClientBuilder().with(new HttpClientOptions(base)).with(pool).build();
        HttpClientOptions tls = new HttpClientOptions(base).setSsl(true).setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2).setVerifyHost(true);
        config.gatewayTrust().ifPresent(ca -> tls.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        this.alpn = vertx.httpClientBuilder().with(tls).with(pool).build();
    }

    void relay(RoutingContext ctx, RelayConfig.Route route) {
        HttpServerRequest req = ctx.request();
        HttpServerResponse resp = req.response();
        String endpoint = route.path();
        if (req.method() != HttpMethod.POST) {
            resp.putHeader("allow", "POST");
            refuse(resp, endpoint, new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 405,
                    "use POST with " + OhttpMediaTypes.REQUEST), "method");
            return;
        }
        if (!OhttpMediaTypes.is(req.getHeader("content-type"), OhttpMediaTypes.REQUEST)) {
            refuse(resp, endpoint, new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 415,
                    "content type must be " + OhttpMediaTypes.REQUEST), "content_type");
            return;
        }
        BoundedBody.read(req, config.maxRequestSize()).onComplete(ar -> {
            if (ar.failed()) {
                refuse(resp, endpoint, ar.cause() instanceof ProxyFailure f ? f
                        : ProxyFailure.badRequest("the request body was cut short"), "body");
                return;
            }
            Buffer body = ar.result();
            if (body.length() == 0) { // §6: a relay MAY reject requests that are obviously invalid
                refuse(resp, endpoint, ProxyFailure.badRequest("empty encapsulated request"), "empty");
                return;
            }
            metrics.bytesToGateway(endpoint, body.length());
            forward(route, body).onComplete(answer -> {
                if (resp.ended() || resp.closed()) {
                    return;
                }
                if (answer.failed()) {
                    ProxyFailure f = failure(answer.cause());
                    metrics.gatewayResponseError(endpoint, f.type().token());
                    metrics.answered(endpoint, f.status());
                    LOG.log(Level.DEBUG, "ohttp-relay: gateway failure: {0}", f.type().token());
                    ProblemResponses.send(resp, PROXY_NAME, f, null);
                    return;
                }
                GatewayAnswer g = answer.result();
                resp.setStatusCode(g.status);
                for (String name : new String[] {"content-type", "cache-control", "proxy-status"}) {
                    if (g.response.headers().contains(name)) {
                        resp.putHeader(name, g.response.headers().getAll(name));
                    }
                }
                metrics.answered(endpoint, g.status); // counted before the answer leaves, so a scrape after it sees it
                metrics.bytesToClient(endpoint, g.body.length());
                resp.end(g.body);
            });
        });
    }

    private record GatewayAnswer(int status, HttpClientResponse response, Buffer body) { }

    /** POSTs the body, untouched, to the route's gateway with nothing but its content type. */
    private Future<GatewayAnswer> forward(RelayConfig.Route route, Buffer body) {
        Promise<GatewayAnswer> result = Promise.promise();
        long deadline = config.gatewayTimeout().toMillis();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setHost(route.gateway().getHost()).setPort(route.port()).setSsl(route.tls())
                .setURI(route.target())
                .setConnectTimeout(config.connectTimeout().toMillis()).setIdleTimeout(deadline)
                .putHeader("content-type", OhttpMediaTypes.REQUEST);
        long timer = vertx.setTimer(deadline, id -> result.tryFail(ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_TIMEOUT,
                "the gateway did not answer in time")));
        (route.tls() ? alpn : http1).request(options)
                .compose(req -> {
                    result.future().onFailure(e -> req.reset());
                    return req.send(body);
                })
                .onSuccess(r -> collect(r, result))
                .onFailure(result::tryFail);
        return result.future().andThen(ar -> vertx.cancelTimer(timer));
    }

    private void collect(HttpClientResponse r, Promise<GatewayAnswer> result) {
        int max = config.maxResponseSize();
        Buffer body = Buffer.buffer();
        r.exceptionHandler(result::tryFail);
        r.handler(chunk -> {
            if (body.length() + chunk.length() > max) {
                result.tryFail(ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_BODY_SIZE,
                        "the gateway's response is too large"));
                return;
            }
            body.appendBuffer(chunk);
        });
        r.endHandler(v -> result.tryComplete(new GatewayAnswer(r.statusCode(), r, body)));
    }

    private static ProxyFailure failure(Throwable e) {
        if (e instanceof ProxyFailure f) {
            return f;
        }
        String name = e.getClass().getSimpleName();
        if (e instanceof ConnectException || name.contains("Connect")) {
            return name.contains("Timeout")
                    ? ProxyFailure.of(ProxyErrorType.CONNECTION_TIMEOUT, "connecting to the gateway timed out")
                    : ProxyFailure.of(ProxyErrorType.CONNECTION_REFUSED, "the gateway refused the connection");
        }
        if (name.contains("Timeout")) {
            return ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_TIMEOUT, "the gateway did not answer in time");
        }
        if (e instanceof SSLException) {
            return ProxyFailure.of(ProxyErrorType.TLS_PROTOCOL_ERROR, "TLS with the gateway failed");
        }
        if (e instanceof java.net.UnknownHostException) {
            return ProxyFailure.of(ProxyErrorType.DNS_ERROR, "the gateway's name does not resolve");
        }
        return ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_INCOMPLETE, "the gateway's answer was cut short");
    }

    void refuse(HttpServerResponse resp, String endpoint, ProxyFailure failure, String reason) {
        metrics.clientRequestError(endpoint, reason);
        metrics.answered(endpoint, failure.status());
        ProblemResponses.send(resp, PROXY_NAME, failure, null);
    }

    Future<Void> close() {
        return Future.join(http1.close(), alpn.close()).mapEmpty();
    }
}
