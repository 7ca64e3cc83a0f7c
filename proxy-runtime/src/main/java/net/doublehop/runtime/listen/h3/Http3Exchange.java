package net.doublehop.runtime.listen.h3;

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import net.doublehop.runtime.vertx.LoopContext;
import java.net.InetSocketAddress;
import java.util.Locale;
import javax.net.ssl.SSLSession;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.HeaderFields;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.transport.Http3DatagramEnd;
import net.doublehop.runtime.transport.Http3Datagrams;
import net.doublehop.runtime.transport.Http3StreamEnd;

/** A request on an HTTP/3 stream served by Netty's codec: classic CONNECT, and extended CONNECT (RFC 9220). */
final class Http3Exchange implements ProxyExchange {

    /** H3_NO_ERROR (RFC 9114 §8.1): a STOP_SENDING after a complete answer, "I need no more of your request". */
    private static final int NO_ERROR = 0x100;

    private final QuicStreamChannel stream;
    private final LoopContext context;
    private final Http3Headers request;
    private final MultiMap headers;
    private final MultiMap responseHeaders = MultiMap.caseInsensitiveMultiMap();
    private final Http3StreamEnd end;
    private final HttpMethod method;
    private int status = 200;
    private boolean answered;
    private Runnable resetHandler;

    Http3Exchange(QuicStreamChannel stream, LoopContext context, Http3Headers request, Http3StreamEnd end) {
        this.stream = stream;
        this.context = context;
        this.request = request;
        this.end = end;
        CharSequence m = request.method();
        this.method = m == null ? HttpMethod.valueOf("UNKNOWN") : HttpMethod.valueOf(m.toString());
        this.headers = HeaderFields.regular(request);
    }

    @Override
    public String version() {
        return "h3";
    }

    @Override
    public HttpMethod method() {
        return method;
    }

    @Override
    public String extendedProtocol() {
        CharSequence p = request.protocol();
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
        QuicChannel connection = stream.parent();
        return connection.remoteSocketAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
    }

    @Override
    public SSLSession sslSession() {
        return stream.parent().sslEngine() == null ? null : stream.parent().sslEngine().getSession();
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

    @Override
    public void respond(int status) {
        if (answered()) {
            return;
        }
        this.status = status;
        answered = true;
        end.discard();
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(head(status)))
                .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT)
                .addListener(f -> stream.shutdownInput(NO_ERROR).addListener(g -> stream.close()));
    }

    @Override
    public Future<TunnelEnd> accept() {
        if (answered()) {
            return context.failedFuture(CLIENT_GONE);
        }
        answered = true;
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(head(status)));
        return context.succeededFuture(end);
    }

    /** Capsules on the stream, and HTTP/3 datagrams of this stream's quarter stream ID. */
    @Override
    public Future<DatagramEnd> acceptDatagrams() {
        return accept().map(e -> new Http3DatagramEnd(end, Http3Datagrams.of(stream.parent()), end.streamId(),
                context));
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

    QuicStreamChannel streamChannel() {
        return stream;
    }

    /** The stream closed under a running tunnel: the client reset it, or the connection went. */
    void streamClosed() {
        Runnable h = resetHandler;
        if (h != null) {
            h.run();
        }
    }

    private Http3Headers head(int status) {
        Http3Headers h = new DefaultHttp3Headers().status(Integer.toString(status));
        HeaderFields.forMultiplexed(responseHeaders, h::add);
        return h;
    }
}
