package net.doublehop.runtime.ohttp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/**
 * An encapsulated request's body, read whole (the relay forwards it in one piece, the gateway decrypts it in one
 * piece) but never more than the configured size: beyond it, 413, early when {@code Content-Length} already says so.
 */
public final class BoundedBody {

    private BoundedBody() {
    }

    public static Future<Buffer> read(HttpServerRequest req, int max) {
        ProxyFailure tooLarge = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 413,
                "the encapsulated request is larger than " + max + " bytes");
        String declared = req.getHeader("content-length");
        if (declared != null && (declared.length() > 12 || !declared.chars().allMatch(Character::isDigit)
                || Long.parseLong(declared) > max)) {
            return Future.failedFuture(tooLarge);
        }
        Promise<Buffer> done = Promise.promise();
        Buffer body = Buffer.buffer();
        req.handler(chunk -> {
            if (body.length() + chunk.length() > max) {
                done.tryFail(tooLarge);
                return;
            }
            body.appendBuffer(chunk);
        });
        req.exceptionHandler(done::tryFail);
        req.endHandler(v -> done.tryComplete(body));
        return done.future();
    }
}
