package net.doublehop.runtime.listen.h3;

import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import net.doublehop.runtime.vertx.LoopContext;
import javax.net.ssl.SSLSession;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.HeaderFields;
import net.doublehop.runtime.listen.StreamExchange;
import net.doublehop.runtime.transport.Http3DatagramEnd;
import net.doublehop.runtime.transport.Http3Datagrams;
import net.doublehop.runtime.transport.Http3StreamEnd;

/** A request on an HTTP/3 stream served by Netty's codec: classic CONNECT, and extended CONNECT (RFC 9220). */
final class Http3Exchange extends StreamExchange<Http3StreamEnd> {

    /** H3_NO_ERROR (RFC 9114 §8.1): a STOP_SENDING after a complete answer, "I need no more of your request". */
    private static final int NO_ERROR = 0x100;

    private final QuicStreamChannel quicStream;

    Http3Exchange(QuicStreamChannel stream, LoopContext context, Http3Headers request, Http3StreamEnd end) {
        super(context, stream, end, request.method(), request.path(), request.authority(), request.protocol(),
                HeaderFields.regular(request), MultiMap.caseInsensitiveMultiMap());
        this.quicStream = stream;
    }

    @Override
    public String version() {
        return "h3";
    }

    @Override
    public String remoteHost() {
        return literal(quicStream.parent().remoteSocketAddress());
    }

    @Override
    public SSLSession sslSession() {
        return quicStream.parent().sslEngine() == null ? null : quicStream.parent().sslEngine().getSession();
    }

    @Override
    protected void writeAnswer(int status) {
        end.discard();
        quicStream.writeAndFlush(new DefaultHttp3HeadersFrame(head(status)))
                .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT)
                .addListener(f -> quicStream.shutdownInput(NO_ERROR).addListener(g -> quicStream.close()));
    }

    @Override
    protected TunnelEnd writeAcceptance(int status) {
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(head(status)));
        return end;
    }

    /** Capsules on the stream, and HTTP/3 datagrams of this stream's quarter stream ID. */
    @Override
    public Future<DatagramEnd> acceptDatagrams() {
        return accept().map(e -> new Http3DatagramEnd(end, Http3Datagrams.of(quicStream.parent()), end.streamId(),
                context));
    }

    QuicStreamChannel streamChannel() {
        return quicStream;
    }

    /** The stream closed under a running tunnel: the client reset it, or the connection went. */
    void streamClosed() {
        reportReset();
    }

    private Http3Headers head(int status) {
        Http3Headers h = new DefaultHttp3Headers().status(Integer.toString(status));
        HeaderFields.forMultiplexed(responseHeaders(), h::add);
        return h;
    }
}
