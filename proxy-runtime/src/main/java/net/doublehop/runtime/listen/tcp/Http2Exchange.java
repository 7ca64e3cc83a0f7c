package net.doublehop.runtime.listen.tcp;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.HeaderFields;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.transport.Http2ServerStreamEnd;

/**
 * A request on an HTTP/2 stream: classic CONNECT ({@code :authority} only, RFC 9113 §8.5) and extended CONNECT
 * ({@code :protocol}, {@code :scheme}, {@code :path}, {@code :authority}; RFC 8441), which is how CONNECT-UDP
 * travels over HTTP/2 (RFC 9298 §3.3). Accepting answers {@code :status 200}; the stream then carries the tunnel.
 */
final class Http2Exchange implements ProxyExchange {

    /** Connection-specific fields are malformed in HTTP/2 (RFC 9113 §8.2.2). */
    private final Http2StreamChannel stream;
    private final Http2Headers request;
    private final Http2ServerStreamEnd end;
    private final ListenerScope scope;
    private final HttpMethod method;
    private final MultiMap headers;
    private final MultiMap responseHeaders;
    private int status = 200;
    private boolean answered;
    private Runnable resetHandler;
    private boolean resetReported;

    Http2Exchange(Http2StreamChannel stream, Http2Headers request, Http2ServerStreamEnd end, ListenerScope scope) {
        this.stream = stream;
        this.request = request;
        this.end = end;
        this.scope = scope;
        CharSequence m = request.method();
        this.method = HttpMethod.valueOf(m == null ? "UNKNOWN" : m.toString());
        this.headers = HeaderFields.regular(request);
        this.responseHeaders = scope.newResponseHeaders();
    }

    @Override
    public String version() {
        return "h2";
    }

    @Override
    public HttpMethod method() {
        return method;
    }

    @Override
    public String extendedProtocol() {
        CharSequence p = request.get(Http2Headers.PseudoHeaderName.PROTOCOL.value());
        return p == null ? null : p.toString().toLowerCase(Locale.ROOT);
    }

    @Override
    public String uri() {
        CharSequence p = request.path();
        return p == null ? null : p.toString();
    }

    @Override
    public String authority() {
        CharSequence a = request.authority();
        return a == null ? null : a.toString();
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
        return stream.parent().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
    }

    @Override
    public SSLSession sslSession() {
        SslHandler ssl = stream.parent().pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession();
    }

    @Override
    public Object connection() {
        return stream.parent();
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
        return answered || !stream.isActive();
    }

    /** The answer ends our side of the stream; what the client still sends is read and dropped. */
    @Override
    public void respond(int status) {
        if (answered()) {
            return;
        }
        this.status = status;
        answered = true;
        end.discard();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(head(status), true));
    }

    @Override
    public Future<TunnelEnd> accept() {
        if (answered()) {
            return scope.context().failedFuture(CLIENT_GONE);
        }
        answered = true;
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(head(status)));
        return scope.context().succeededFuture(end);
    }

    @Override
    public void reset() {
        answered = true;
        end.reset();
    }

    @Override
    public void resetHandler(Runnable handler) {
        this.resetHandler = handler;
    }

    /** Whether this side answered or reset the stream (unlike {@link #answered()}, not merely "too late to"). */
    boolean answerSent() {
        return answered;
    }

    /** The client sent RST_STREAM. */
    void peerReset() {
        answered = true;
        reportReset();
    }

    /** The stream's channel closed: a reset, or the connection went, unless both sides had ended. */
    void streamClosed() {
        if (!(end.inputEnded() && end.outputEnded())) {
            reportReset();
        }
    }

    private void reportReset() {
        Runnable h = resetHandler;
        if (h != null && !resetReported) {
            resetReported = true;
            scope.context().emit(null, v -> h.run());
        }
    }

    private Http2Headers head(int status) {
        Http2Headers h = new DefaultHttp2Headers().status(Integer.toString(status));
        HeaderFields.forMultiplexed(responseHeaders, h::add);
        return h;
    }
}
