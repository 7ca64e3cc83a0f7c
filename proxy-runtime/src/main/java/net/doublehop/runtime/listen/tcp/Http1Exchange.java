package net.doublehop.runtime.listen.tcp;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.util.Map;
import javax.net.ssl.SSLSession;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.BaseExchange;

/**
 * An HTTP/1.1 request: CONNECT (the target is the request-target), or an upgrade ({@code GET} with
 * {@code Upgrade: connect-udp}). Accepting answers {@code 200} or {@code 101} and hands over the whole connection.
 */
final class Http1Exchange extends BaseExchange {

    private final Http1ServerHandler connection;
    private final Channel channel;
    private final HttpRequest request;

    Http1Exchange(Http1ServerHandler connection, Channel channel, HttpRequest request, ListenerScope scope) {
        super(scope.context(), request.method().name(), request.uri(), null, null, headersOf(request),
                scope.newResponseHeaders());
        this.connection = connection;
        this.channel = channel;
        this.request = request;
    }

    private static MultiMap headersOf(HttpRequest request) {
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<String, String> h : request.headers()) {
            headers.add(h.getKey(), h.getValue());
        }
        return headers;
    }

    @Override
    public String version() {
        return "h1";
    }

    @Override
    public String remoteHost() {
        return literal(channel.remoteAddress());
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
    protected boolean open() {
        return channel.isActive();
    }

    @Override
    protected void writeAnswer(int status) {
        connection.answer(request, status, responseHeaders());
    }

    @Override
    protected TunnelEnd writeAcceptance(int status) {
        // CONNECT is answered 200 (RFC 9110 §9.3.6); an upgrade, 101 Switching Protocols (RFC 9298 §3.2).
        int accepted = method() == HttpMethod.CONNECT ? 200 : 101;
        status(accepted);
        return connection.startTunnel(accepted, responseHeaders());
    }

    @Override
    protected void abort() {
        channel.close();
    }

    /**
     * The client's connection closing before it was answered: the flow stops working for nobody (A abandons its
     * request to B). Once the connection is a tunnel, its close reaches the tunnel's end instead.
     */
    @Override
    public void resetHandler(Runnable handler) {
        channel.closeFuture().addListener(f -> {
            if (!answerSent()) {
                context.emit(null, v -> handler.run());
            }
        });
    }
}
