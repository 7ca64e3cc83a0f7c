package net.doublehop.proxya.gateway;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConfig;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.bhttp.BinaryHttpRequest;
import net.doublehop.protocol.bhttp.BinaryHttpResponse;
import net.doublehop.protocol.bhttp.Field;

/**
 * Sends a decapsulated request to its target with Vert.x's pooled HttpClient and collects the whole
 * answer (it is encrypted as one message, RFC 9458 §5.1). https targets negotiate HTTP/2 or HTTP/1.1 by
 * ALPN; http targets get HTTP/1.1. Bounded: connect timeout, one deadline for the whole exchange, and a
 * response size limit. Failures are {@link ProxyFailure}s with the RFC 9209 type the gateway encapsulates.
 */
final class TargetForwarder {

    /** Connection-specific fields (RFC 9110 §7.6.1, RFC 9113 §8.2.2): never forwarded either way. */
    static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
            "upgrade", "te", "host", "content-length", "expect", "http2-settings");

    private final Vertx vertx;
    private final HttpClientAgent http1;
    private final HttpClientAgent alpn;
    private final GatewayConfig config;

    /** @param connectionsPerTarget this forwarder's share of {@code max-connections-per-target} */
    TargetForwarder(Vertx vertx, GatewayConfig config, int connectionsPerTarget) {
        this.vertx = vertx;
        this.config = config;
        PoolOptions pool = new PoolOptions().setHttp1MaxSize(connectionsPerTarget)
                .setHttp2MaxSize(Math.max(1, connectionsPerTarget / 8)).setMaxWaitQueueSize(1024);
        HttpClientOptions base = new HttpClientOptions()
                .setConnectTimeout((int) config.targetConnectTimeout().toMillis())
                .setKeepAlive(true).setTcpNoDelay(true).setMaxHeaderSize(16 * 1024);
        this.http1 = client(vertx, new HttpClientOptions(base), pool, config);
        HttpClientOptions tls = new HttpClientOptions(base).setSsl(true).setUseAlpn(true)
                .setProtocolVersion(HttpVersion.HTTP_2).setVerifyHost(true);
        config.targetTrust().ifPresent(ca -> tls.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        this.alpn = client(vertx, tls, pool, config);
    }

    /**
     * A pooled client; with {@code egress-address} its connections leave from that address. Vert.x 5.2 drops
     * {@code HttpClientOptions.setLocalAddress} when it converts the options (only NetClientOptions carry it
     * over), so the address is set on the converted {@link HttpClientConfig} and the TLS options passed beside.
     */
    private static HttpClientAgent client(Vertx vertx, HttpClientOptions options, PoolOptions pool,
            GatewayConfig config) {
        if (config.egressAddress().isEmpty()) {
            return vertx.httpClientBuilder().with(options).with(pool).build();
        }
        HttpClientConfig cfg = new HttpClientConfig(options);
        cfg.getTcpConfig().setLocalAddress(SocketAddress.inetSocketAddress(0, config.egressAddress().get()));
        var builder = vertx.httpClientBuilder().with(cfg).with(pool);
        if (options.isSsl()) {
            builder.with(options.getSslOptions());
        }
        return builder.build();
    }

    Future<BinaryHttpResponse> forward(TargetOrigin origin, BinaryHttpRequest request) {
        Promise<BinaryHttpResponse> result = Promise.promise();
        long deadline = config.targetTimeout().toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.valueOf(request.method()))
                .setHost(origin.host()).setPort(origin.port()).setSsl(origin.tls())
                .setURI(request.path())
                .setConnectTimeout(config.targetConnectTimeout().toMillis())
                .setIdleTimeout(deadline);
        for (Field f : request.headers()) {
            if (!f.isPseudo() && !HOP_BY_HOP.contains(f.name().toLowerCase(Locale.ROOT))) {
                options.addHeader(f.name(), f.value());
            }
        }
        HttpClientRequest[] sent = new HttpClientRequest[1];
        long timer = vertx.setTimer(deadline, id -> {
            if (result.tryFail(ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_TIMEOUT, "the target did not answer in time"))
                    && sent[0] != null) {
                sent[0].reset();
            }
        });
        (origin.tls() ? alpn : http1).request(options)
                .compose(req -> {
                    sent[0] = req;
                    // Request trailers are dropped: Vert.x's client cannot send them (and targets rarely read them).
                    return request.contentLength() > 0 ? req.send(Buffer.buffer(request.content())) : req.send();
                })
                .onSuccess(resp -> collect(resp, result))
                .onFailure(e -> result.tryFail(failure(e)));
        return result.future().andThen(ar -> vertx.cancelTimer(timer));
    }

    private void collect(HttpClientResponse resp, Promise<BinaryHttpResponse> result) {
        int max = config.maxResponseSize();
        String declared = resp.getHeader("content-length");
        if (declared != null && declared.length() < 19 && declared.chars().allMatch(Character::isDigit)
                && Long.parseLong(declared) > max) {
            result.tryFail(tooLarge());
            resp.request().reset();
            return;
        }
        Buffer body = Buffer.buffer();
        resp.exceptionHandler(e -> result.tryFail(failure(e)));
        resp.handler(chunk -> {
            if (body.length() + chunk.length() > max) {
                if (result.tryFail(tooLarge())) {
                    resp.request().reset();
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        resp.endHandler(v -> {
            if (result.future().isComplete()) {
                return;
            }
            int status = resp.statusCode();
            if (status < 200 || status > 599) {
                result.tryFail(ProxyFailure.of(ProxyErrorType.HTTP_PROTOCOL_ERROR, "the target's status is out of range"));
                return;
            }
            result.tryComplete(new BinaryHttpResponse(List.of(), status, fields(resp.headers()), body.getBytes(),
                    fields(resp.trailers())));
        });
    }

    /**
     * A target's fields as binary HTTP field lines: lowercase names (RFC 9113 §8.2.1, which RFC 9292 §3.6
     * applies), without connection-specific fields, and only values a binary HTTP message may carry.
     */
    static List<Field> fields(MultiMap headers) {
        List<Field> out = new ArrayList<>();
        for (Map.Entry<String, String> e : headers) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            String value = e.getValue().strip();
            if (HOP_BY_HOP.contains(name) && !name.equals("content-length") || !isToken(name)
                    || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf(0) >= 0) {
                continue;
            }
            out.add(new Field(name, value));
        }
        return out;
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    private static ProxyFailure tooLarge() {
        return ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_BODY_SIZE, "the target's response is too large");
    }

    /** Maps a client failure to RFC 9209 without its message (it may name the target). */
    static ProxyFailure failure(Throwable e) {
        if (e instanceof ProxyFailure f) {
            return f;
        }
        String name = e.getClass().getSimpleName();
        if (e instanceof ConnectException || name.contains("Connect")) {
            return name.contains("Timeout")
                    ? ProxyFailure.of(ProxyErrorType.CONNECTION_TIMEOUT, "connecting to the target timed out")
                    : ProxyFailure.of(ProxyErrorType.CONNECTION_REFUSED, "the target refused the connection");
        }
        if (e instanceof TimeoutException || name.contains("Timeout")) {
            return ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_TIMEOUT, "the target did not answer in time");
        }
        if (e instanceof SSLException) {
            return ProxyFailure.of(ProxyErrorType.TLS_PROTOCOL_ERROR, "TLS with the target failed");
        }
        if (e instanceof java.net.UnknownHostException) {
            return ProxyFailure.of(ProxyErrorType.DNS_ERROR, "the target's name does not resolve");
        }
        return ProxyFailure.of(ProxyErrorType.HTTP_RESPONSE_INCOMPLETE, "the target's answer was cut short");
    }

    Future<Void> close() {
        return Future.join(http1.close(), alpn.close()).mapEmpty();
    }
}
