package net.doublehop.runtime.server;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.HostAndPort;
import javax.net.ssl.SSLSession;
import net.doublehop.runtime.relay.TunnelEnd;

/** A request served by Vert.x's HTTP server: HTTP/1.1 and HTTP/2 (classic CONNECT, and HTTP/1.1 upgrades). */
public final class VertxExchange implements ProxyExchange {

    private final HttpServerRequest req;
    private final String version;

    public VertxExchange(HttpServerRequest req) {
        this.req = req;
        this.version = Protocols.label(req.version());
    }

    @Override
    public String version() {
        return version;
    }

    @Override
    public HttpMethod method() {
        return req.method();
    }

    /** Vert.x refuses extended CONNECT (DESIGN.md §4), so a request it passes on never has one. */
    @Override
    public String extendedProtocol() {
        return null;
    }

    @Override
    public String uri() {
        return req.uri();
    }

    @Override
    public String authority() {
        if ("h1".equals(version)) {
            return null;
        }
        HostAndPort a = req.authority();
        if (a == null) {
            return null;
        }
        // Vert.x has split :authority into host and port, dropping an IPv6 literal's brackets: put them back.
        String host = a.host();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return a.port() < 0 ? host : host + ":" + a.port();
    }

    @Override
    public String header(String name) {
        return req.getHeader(name);
    }

    @Override
    public MultiMap headers() {
        return req.headers();
    }

    @Override
    public String remoteHost() {
        return req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
    }

    @Override
    public SSLSession sslSession() {
        return req.connection().sslSession();
    }

    @Override
    public Object connection() {
        return req.connection();
    }

    @Override
    public MultiMap responseHeaders() {
        return req.response().headers();
    }

    @Override
    public int status() {
        return req.response().getStatusCode();
    }

    @Override
    public boolean answered() {
        HttpServerResponse resp = req.response();
        return resp.headWritten() || resp.ended() || resp.closed();
    }

    @Override
    public void respond(int status) {
        if (!answered()) {
            req.response().setStatusCode(status).end();
        }
    }

    @Override
    public Future<TunnelEnd> accept() {
        if (answered()) {
            return Future.failedFuture(CLIENT_GONE);
        }
        Future<io.vertx.core.net.NetSocket> upgraded;
        try {
            upgraded = req.toNetSocket();
        } catch (java.util.NoSuchElementException closing) {
            // Vert.x turns an HTTP/1.1 connection into a socket by editing its pipeline, which a connection the
            // client just closed no longer has.
            return Future.failedFuture(CLIENT_GONE);
        }
        return upgraded.map(socket -> isStream()
                ? TunnelEnd.stream(socket, () -> req.response().reset())
                : TunnelEnd.http1Client(socket));
    }

    @Override
    public void reset() {
        req.response().reset();
    }

    @Override
    public void resetHandler(Runnable handler) {
        // Once the client has half-closed, Vert.x reports its stream socket closed and a later RST_STREAM reaches
        // only the response.
        req.response().exceptionHandler(t -> handler.run());
    }
}
