package net.doublehop.runtime.server;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ProxyStatus;
import net.doublehop.protocol.ServerTiming;

/**
 * Requests the HTTP/1.x decoder could not parse: oversized header sections get 431 (RFC 6585 §5), an
 * oversized request line 414, anything else 400; all with a {@code Proxy-Status}, and the connection closed.
 */
public final class InvalidRequestResponder implements Handler<HttpServerRequest> {

    private final String proxyName;

    public InvalidRequestResponder(String proxyName) {
        this.proxyName = proxyName;
    }

    @Override
    public void handle(HttpServerRequest req) {
        long start = System.nanoTime();
        DecoderResult result = req.decoderResult();
        Throwable cause = result == null ? null : result.cause();
        ProxyFailure failure;
        if (cause instanceof TooLongHttpHeaderException) {
            failure = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 431, "request header section too large");
        } else if (cause instanceof TooLongHttpLineException) {
            failure = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 414, "request line too long");
        } else {
            failure = ProxyFailure.badRequest("malformed HTTP request");
        }
        HttpServerResponse resp = req.response();
        resp.setStatusCode(failure.status())
                .putHeader(HeaderNames.PROXY_STATUS, ProxyStatus.format(proxyName, failure))
                .putHeader(HeaderNames.SERVER_TIMING, ServerTiming.entry("proxy", System.nanoTime() - start))
                .putHeader("connection", "close")
                .end()
                .onComplete(v -> req.connection().close());
    }
}
