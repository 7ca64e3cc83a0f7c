package net.doublehop.runtime.listen.tcp;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ProxyStatus;
import net.doublehop.protocol.ServerTiming;

/**
 * Requests the HTTP/1.x decoder could not parse: an oversized header section gets 431 (RFC 6585 §5), an oversized
 * request line 414, anything else 400; all with a {@code Proxy-Status}, and the connection closed (the decoder
 * cannot find the next request's start).
 */
final class MalformedRequests {

    /** {@code limits.request-header-timeout} passed before the request head was complete. */
    static final ProxyFailure HEADER_TIMEOUT = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 408,
            "request header not complete in time");

    private MalformedRequests() {
    }

    static ProxyFailure classify(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 431, "request header section too large");
        }
        if (cause instanceof TooLongHttpLineException) {
            return new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 414, "request line too long");
        }
        return ProxyFailure.badRequest("malformed HTTP request");
    }

    static void respond(ChannelHandlerContext ctx, Throwable cause, String proxyName, long startNanos) {
        respond(ctx, classify(cause), proxyName, startNanos);
    }

    static void respond(ChannelHandlerContext ctx, ProxyFailure failure, String proxyName, long startNanos) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(failure.status()));
        resp.headers()
                .set(HeaderNames.PROXY_STATUS, ProxyStatus.format(proxyName, failure))
                .set(HeaderNames.SERVER_TIMING, ServerTiming.entry("proxy", System.nanoTime() - startNanos))
                .set(HttpHeaderNames.CONTENT_LENGTH, 0)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
    }
}
