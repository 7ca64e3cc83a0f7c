package net.doublehop.runtime.server;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/** The parse stage both proxies share: only CONNECT is served, and its target must be a valid authority. */
public final class ConnectTargets {

    /** 405 for other methods on the proxy port (RFC 9110 §15.5.6); responders add {@code Allow: CONNECT}. */
    public static final ProxyFailure METHOD_NOT_ALLOWED =
            new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 405, "only CONNECT is served here");

    private ConnectTargets() {
    }

    public static ConnectTarget parse(HttpServerRequest req) {
        if (req.method() != HttpMethod.CONNECT) {
            throw METHOD_NOT_ALLOWED;
        }
        return ConnectTarget.parse(rawTarget(req));
    }

    /**
     * HTTP/1.1 carries the target in the request-target (take it from there, not {@code Host}); HTTP/2
     * carries it in {@code :authority}, which Vert.x has already split into host and port.
     */
    static String rawTarget(HttpServerRequest req) {
        if (req.version() == HttpVersion.HTTP_1_0 || req.version() == HttpVersion.HTTP_1_1) {
            return req.uri();
        }
        HostAndPort a = req.authority();
        if (a == null) {
            throw ProxyFailure.badRequest("CONNECT without :authority");
        }
        String host = a.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return a.port() < 0 ? host : host + ":" + a.port();
    }
}
