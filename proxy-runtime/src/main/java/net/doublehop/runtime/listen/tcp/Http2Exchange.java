package net.doublehop.runtime.listen.tcp;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLSession;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.HeaderFields;
import net.doublehop.runtime.listen.StreamExchange;
import net.doublehop.runtime.transport.Http2ServerStreamEnd;

/**
 * A request on an HTTP/2 stream: classic CONNECT ({@code :authority} only, RFC 9113 §8.5) and extended CONNECT
 * ({@code :protocol}, {@code :scheme}, {@code :path}, {@code :authority}; RFC 8441), which is how CONNECT-UDP
 * travels over HTTP/2 (RFC 9298 §3.3). Accepting answers {@code :status 200}; the stream then carries the tunnel.
 */
final class Http2Exchange extends StreamExchange<Http2ServerStreamEnd> {

    Http2Exchange(Http2StreamChannel stream, Http2Headers request, Http2ServerStreamEnd end, ListenerScope scope) {
        super(scope.context(), stream, end, request.method(), request.path(), request.authority(),
                request.get(Http2Headers.PseudoHeaderName.PROTOCOL.value()), HeaderFields.regular(request),
                scope.newResponseHeaders());
    }

    @Override
    public String version() {
        return "h2";
    }

    @Override
    public String remoteHost() {
        return literal(stream.parent().remoteAddress());
    }

    @Override
    public SSLSession sslSession() {
        SslHandler ssl = stream.parent().pipeline().get(SslHandler.class);
        return ssl == null ? null : ssl.engine().getSession();
    }

    /** The answer ends our side of the stream; what the client still sends is read and dropped. */
    @Override
    protected void writeAnswer(int status) {
        end.discard();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(head(status), true));
    }

    @Override
    protected TunnelEnd writeAcceptance(int status) {
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(head(status)));
        return end;
    }

    /** The client sent RST_STREAM. */
    void peerReset() {
        markResetByPeer();
    }

    /** The stream's channel closed: a reset, or the connection went, unless both sides had ended. */
    void streamClosed() {
        if (!(end.inputEnded() && end.outputEnded())) {
            reportReset();
        }
    }

    private Http2Headers head(int status) {
        Http2Headers h = new DefaultHttp2Headers().status(Integer.toString(status));
        HeaderFields.forMultiplexed(responseHeaders(), h::add);
        return h;
    }
}
