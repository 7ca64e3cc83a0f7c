package net.doublehop.runtime.listen.tcp;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.Map;
import javax.net.ssl.SSLSession;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.ProxyExchange;

/**
 * An HTTP/1.1 request: CONNECT (the target is the request-target), or an upgrade ({@code GET} with
 * {@code Upgrade: connect-udp}). Accepting answers {@code 200} or {@code 101} and hands over the whole connection.
 */
final class Http1Exchange implements ProxyExchange {

    private final Http1ServerHandler connection;
    private final Channel channel;
    private final HttpRequest request;
    private final HttpMethod method;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    private final MultiMap responseHeaders;
    private final ListenerScope scope;
    private int status = 200;
    private boolean answered;

    Http1Exchange(Http1ServerHandler connection, Channel channel, HttpRequest request, ListenerScope scope) {
        this.connection = connection;
        this.channel = channel;
        this.request = request;
        this.scope = scope;
        this.method = HttpMethod.valueOf(request.method().name());
        for (Map.Entry<String, String> h : request.headers()) {
            headers.add(h.getKey(), h.getValue());
        }
        this.responseHeaders = scope.newResponseHeaders();
    }

    @Override
    public String version() {
        return "h1";
    }

    @Override
    public HttpMethod method() {
        return method;
    }

    @Override
    public String extendedProtocol() {
        return null;
    }

    @Override
    public String uri() {
        return request.uri();
    }

    @Override
    public String authority() {
        return null;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    @Override
    public MultiMap headers() {
        return headers;
    }

    @Override
    public String remoteHost() {
        return channel.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
    }

    @Override
    public SSLSession sslSession() {
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession();
    }

    @Override
    public Object connection() {
        return channel;
    }

    @Override
    public MultiMap responseHeaders() {
        return responseHeaders;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public boolean answered() {
        return answered || !channel.isActive();
    }

    @Override
    public void respond(int status) {
        if (answered()) {
            return;
        }
        this.status = status;
        answered = true;
        connection.answer(request, status, responseHeaders);
    }

    @Override
    public Future<TunnelEnd> accept() {
        if (answered()) {
            return scope.context().failedFuture(CLIENT_GONE);
        }
        answered = true;
        // CONNECT is answered 200 (RFC 9110 §9.3.6); an upgrade, 101 Switching Protocols (RFC 9298 §3.2).
        status = method == HttpMethod.CONNECT ? 200 : 101;
        return scope.context().succeededFuture(connection.startTunnel(status, responseHeaders));
    }

    @Override
    public void reset() {
        answered = true;
        channel.close();
    }

    /**
     * The client's connection closing before it was answered: the flow stops working for nobody (A abandons its
     * request to B). Once the connection is a tunnel, its close reaches the tunnel's end instead.
     */
    @Override
    public void resetHandler(Runnable handler) {
        channel.closeFuture().addListener(f -> {
            if (!answered) {
                scope.context().emit(null, v -> handler.run());
            }
        });
    }
}
