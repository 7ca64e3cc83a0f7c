package net.doublehop.runtime.listen.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.listen.EarlyResets;
import net.doublehop.runtime.transport.Http2ServerStreamEnd;

/**
 * One HTTP/2 request stream: its HEADERS become an {@link Http2Exchange} handed to the flow, its DATA and
 * END_STREAM go to the stream's tunnel end, a client's RST_STREAM ends the tunnel (also after the client's
 * half-close, when only the exchange's reset handler still listens). Trailers and other frames are dropped.
 */
final class Http2StreamHandler extends ChannelInboundHandlerAdapter {

    /** Set on a connection once told ENHANCE_YOUR_CALM: one GOAWAY and one close, however many resets follow. */
    private static final AttributeKey<Boolean> CALMED = AttributeKey.valueOf("doublehop.h2.calmed");
    /** How long a connection told ENHANCE_YOUR_CALM stays open for the GOAWAY to be read. */
    private static final long GOAWAY_LINGER_MILLIS = 500;

    private static final System.Logger LOG = System.getLogger(Http2StreamHandler.class.getName());

    private final ListenerScope scope;
    private final EarlyResets earlyResets;
    private Http2ServerStreamEnd end;
    private Http2Exchange exchange;

    Http2StreamHandler(ListenerScope scope, EarlyResets earlyResets) {
        this.scope = scope;
        this.earlyResets = earlyResets;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame headers) {
            if (exchange == null) {
                Http2StreamChannel stream = (Http2StreamChannel) ctx.channel();
                end = new Http2ServerStreamEnd(stream, scope.context());
                exchange = new Http2Exchange(stream, headers.headers(), end, scope);
                if (headers.isEndStream()) {
                    end.inputClosed();
                }
                scope.dispatch(exchange);
            } else if (headers.isEndStream()) {
                end.inputClosed(); // trailers end the client's data
            }
        } else if (msg instanceof Http2DataFrame data) {
            boolean last = data.isEndStream();
            if (end != null) {
                end.inbound(data.content()); // takes ownership of the frame's buffer
                if (last) {
                    end.inputClosed();
                }
            } else {
                data.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            boolean early = exchange == null || !exchange.answerSent();
            if (end != null) {
                end.resetByPeer();
            }
            if (exchange != null) {
                exchange.peerReset();
            }
            // Close even with data still queued for a reader that stopped, but only once the codec has closed the
            // stream (right after this event): closed earlier, the child channel would send a RST_STREAM of its own,
            // which RFC 9113 §5.4.2 forbids in answer to one.
            ctx.executor().execute(ctx::close);
            if (early && !earlyResets.allow(System.nanoTime())) {
                Channel connection = ctx.channel().parent();
                if (connection.isActive() && connection.attr(CALMED).setIfAbsent(Boolean.TRUE) == null) {
                    LOG.log(System.Logger.Level.WARNING, "an HTTP/2 client reset more than {0} unanswered streams"
                            + " in 30 s (limits.max-stream-resets-per-30s): GOAWAY ENHANCE_YOUR_CALM, connection"
                            + " closed", scope.limits().maxStreamResetsPer30s());
                    // Closed a moment after the GOAWAY, not at once (RFC 9113 §6.8): a close with the client's
                    // frames still unread sends a TCP RST, and the client's stack may then drop the GOAWAY
                    // unread. Meanwhile the codec ignores new streams, and what comes is read and dropped.
                    connection.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.ENHANCE_YOUR_CALM))
                            .addListener(f -> connection.eventLoop().schedule(() -> {
                                connection.close();
                            }, GOAWAY_LINGER_MILLIS, TimeUnit.MILLISECONDS));
                }
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (end != null) {
            end.closed();
        }
        if (exchange != null) {
            exchange.streamClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (end != null) {
            end.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** A malformed frame or a stream error ends this stream only, never the connection or the process. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionGuard.logQuietly("HTTP/2 stream error", cause);
        if (end != null) {
            end.failed(cause);
        }
        ctx.close();
    }
}
