package net.doublehop.runtime.listen.tcp;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.nio.charset.StandardCharsets;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.listen.EarlyResets;
import net.doublehop.runtime.listen.Http2Windows;

/**
 * An HTTP/2 connection on Netty's frame codec, each request stream a child channel of the multiplexer. SETTINGS:
 * {@code limits.max-concurrent-streams} streams, 1 MiB stream windows and a connection window sized so no stalled
 * tunnel can starve the others ({@link Http2Windows}), 64 KiB frames, header lists up to
 * {@code limits.max-header-size}, and {@code SETTINGS_ENABLE_CONNECT_PROTOCOL} (RFC 8441 §3) so clients may send
 * extended CONNECT, which CONNECT-UDP over HTTP/2 needs (RFC 9298 §3.3). Streams reset before their answer
 * beyond {@code limits.max-stream-resets-per-30s} end the connection (the Rapid Reset defence, CVE-2023-44487).
 */
final class Http2Connection implements TcpConnections.Drainable {

    static final int MAX_FRAME_SIZE = 64 * 1024;
    private static final System.Logger LOG = System.getLogger("proxy.connections");

    private final Channel channel;
    private final Http2FrameCodec codec;

    private Http2Connection(Channel channel, Http2FrameCodec codec) {
        this.channel = channel;
        this.codec = codec;
    }

    static void install(Channel ch, ListenerScope scope) {
        Limits limits = scope.limits();
        Http2Settings settings = new Http2Settings()
                .maxConcurrentStreams(limits.maxConcurrentStreams())
                .initialWindowSize(Http2Windows.STREAM)
                .maxFrameSize(MAX_FRAME_SIZE)
                .maxHeaderListSize(limits.maxHeaderSize())
                .connectProtocolEnabled(true);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(settings)
                // Our own Rapid Reset defence counts only resets before the answer (EarlyResets); Netty's
                // counts every RST_STREAM, including each user's leaving on A's shared connection.
                .decoderEnforceMaxRstFramesPerWindow(0, 0)
                // Shutdown's own drain decides how long streams may run; a close is a close.
                .gracefulShutdownTimeoutMillis(0)
                .build();
        EarlyResets earlyResets = new EarlyResets(limits.maxStreamResetsPer30s(), System.nanoTime());
        Http2MultiplexHandler streams = new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamHandler(scope, earlyResets));
            }
        });
        FlushHold hold = new FlushHold();
        RequestHeaderDeadline deadline = RequestHeaderDeadline.of(ch);
        ch.pipeline()
                .addBefore(ConnectionInitializer.GUARD, "h2-header-watch", new Http2HeaderBlockWatch(deadline))
                .addBefore(ConnectionInitializer.GUARD, "h2-flush-hold", hold)
                .addBefore(ConnectionInitializer.GUARD, "h2", codec)
                .addBefore(ConnectionInitializer.GUARD, "h2-streams", streams);
        // The connection window has no SETTINGS: it grows by a WINDOW_UPDATE on stream 0 (RFC 9113 §6.9.2). The
        // codec has already widened it somewhat on its own (to twice the stream window), so raise it by the rest.
        Http2Stream connection = codec.connection().connectionStream();
        int now = codec.connection().local().flowController().windowSize(connection);
        long raise = Http2Windows.connection(limits.maxConcurrentStreams()) - (long) now;
        if (raise > 0) {
            ch.write(new DefaultHttp2WindowUpdateFrame((int) raise));
        }
        hold.releaseAfterThisTurn();
        Http2Connection h2 = new Http2Connection(ch, codec);
        deadline.onExpiry(h2::headerTimedOut);
        scope.connections().negotiated(ch, "h2", h2);
    }

    /**
     * {@code limits.request-header-timeout}: a new connection without a complete request, or a header block left
     * unfinished. Nothing else can arrive on the connection behind an unfinished block (RFC 9113 §6.10), so the
     * connection goes: GOAWAY (NO_ERROR, RFC 9113 §6.8; the stalled stream was never processed, so its client may
     * retry it), then the close.
     */
    private void headerTimedOut() {
        LOG.log(System.Logger.Level.DEBUG, "HTTP/2 request header not complete within limits.request-header-timeout:"
                + " connection closed");
        channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR,
                        Unpooled.copiedBuffer("request header timeout", StandardCharsets.US_ASCII)))
                .addListener(f -> TcpConnections.forceClose(channel));
    }

    /** GOAWAY (RFC 9113 §6.8): streams begun so far run on, new ones are refused. */
    @Override
    public void drain() {
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
    }

    @Override
    public boolean busy() {
        return codec.connection().numActiveStreams() > 0;
    }
}
