package net.doublehop.proxya.issuer;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import net.doublehop.protocol.privacypass.IssuerClient;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.privacypass.BlindRsaException;
import net.doublehop.protocol.privacypass.PrivacyPassException;
import net.doublehop.protocol.privacypass.TokenRequest;
import net.doublehop.proxya.flow.UserAuthenticator;

/**
 * The Privacy Pass issuer and its attester on one HTTPS listener (RFC 9578 §4 and §6, token type 0x0002):
 * <pre>
 * GET  /.well-known/private-token-issuer-directory   the directory: request URI and keys (cacheable)
 * POST /token-request                                 application/private-token-request in,
 *                                                     application/private-token-response out
 * </pre>
 * The attester is Proxy A's own user check: a request must carry credentials A's users would give the
 * proxy (Basic against the user file, Preshared, or a client certificate), but in {@code Authorization}.
 * Order of a token request: authenticate (401), content type (400), TokenRequest (400 if too short to
 * name a type and key, 422 for everything RFC 9578 §6.2 lists), key in use (422), per-user limit (429),
 * then the blind signature on a worker thread. Nothing about the request (user, blinded message, key id)
 * is logged unless {@code logging.log-sensitive-data} is on; refusals log their reason alone.
 */
public final class IssuerService implements Handler<HttpServerRequest> {

    public static final String DIRECTORY_PATH = IssuerClient.DIRECTORY_PATH;
    public static final String REQUEST_PATH = "/token-request";
    public static final String DIRECTORY_TYPE = IssuerClient.DIRECTORY_TYPE;
    public static final String REQUEST_TYPE = IssuerClient.REQUEST_TYPE;
    public static final String RESPONSE_TYPE = IssuerClient.RESPONSE_TYPE;
    /** A TokenRequest is 259 bytes; anything much larger is not one. */
    static final int MAX_BODY = 1024;

    private static final Logger LOG = System.getLogger("proxy-a.issuer");

    private final Vertx vertx;
    private final String name;
    private final IssuerKeys keys;
    /** The proxy's users as they are now: a reload replaces them, and the issuer follows. */
    private final java.util.function.Supplier<UserAuthenticator> users;
    private final IssuanceLimits limiter;
    private final String directory;
    private final Buffer directoryBytes;
    private final String directoryCacheControl;
    private final boolean logSensitive;
    private final Clock clock;
    private long sweepTimer = -1;

    /** A refusal: status, a constant text (never input bytes or names), and for 429 the wait in seconds. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final long retryAfter;

        Refusal(int status, String text) {
            this(status, text, 0);
        }

        Refusal(int status, String text, long retryAfter) {
            super(text, null, false, false);
            this.status = status;
            this.retryAfter = retryAfter;
        }
    }

    public IssuerService(Vertx vertx, String name, IssuerKeys keys, java.util.function.Supplier<UserAuthenticator> users, int tokensPerUserPerHour,
            Duration directoryMaxAge, boolean logSensitive, Clock clock) {
        this(vertx, name, keys, users, new IssuanceLimiter(tokensPerUserPerHour, System::nanoTime), directoryMaxAge,
                logSensitive, clock);
    }

    /** @param limits tokens per user per hour: this process's ({@link IssuanceLimiter}) or shared ones */
    public IssuerService(Vertx vertx, String name, IssuerKeys keys, java.util.function.Supplier<UserAuthenticator> users, IssuanceLimits limits,
            Duration directoryMaxAge, boolean logSensitive, Clock clock) {
        this.vertx = vertx;
        this.name = name;
        this.keys = keys;
        this.users = users;
        this.limiter = limits;
        this.directory = keys.directoryJson(REQUEST_PATH);
        this.directoryBytes = Buffer.buffer(directory);
        this.directoryCacheControl = "public, max-age=" + directoryMaxAge.toSeconds();
        this.logSensitive = logSensitive;
        this.clock = clock;
    }

    /** Starts forgetting idle users' limits once a minute; {@link #stop()} ends it. */
    public void start() {
        sweepTimer = vertx.setPeriodic(60_000, id -> limiter.sweep());
    }

    public void stop() {
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
    }

    public String directory() {
        return directory;
    }

    @Override
    public void handle(HttpServerRequest req) {
        switch (req.path()) {
            case DIRECTORY_PATH -> {
                if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
                    req.response().putHeader("allow", "GET, HEAD");
                    finish(req, 405, "use GET");
                    return;
                }
                HttpServerResponse resp = req.response().putHeader("content-type", DIRECTORY_TYPE)
                        .putHeader("cache-control", directoryCacheControl);
                if (req.method() == HttpMethod.HEAD) { // Vert.x would send the body of a HEAD answer over HTTP/2
                    resp.putHeader("content-length", Integer.toString(directoryBytes.length())).end();
                } else {
                    resp.end(directoryBytes);
                }
            }
            case REQUEST_PATH -> {
                if (req.method() != HttpMethod.POST) {
                    req.response().putHeader("allow", "POST");
                    finish(req, 405, "use POST with " + REQUEST_TYPE);
                    return;
                }
                issue(req);
            }
            default -> finish(req, 404, "not found; the issuer directory is at " + DIRECTORY_PATH);
        }
    }

    private void issue(HttpServerRequest req) {
        Future<Buffer> body = readBounded(req);
        String[] user = new String[1];
        authenticate(req)
                .compose(u -> {
                    user[0] = u;
                    return body;
                })
                .map(b -> {
                    if (!isRequestType(req.getHeader("content-type"))) {
                        throw new Refusal(400, "content type must be " + REQUEST_TYPE);
                    }
                    return admit(b.getBytes());
                })
                .compose(a -> limiter.take(user[0]).map(wait -> {
                    // the limit last, so malformed requests cost no allowance
                    if (wait > 0) {
                        throw new Refusal(429, "token limit reached", wait);
                    }
                    return a;
                }))
                .compose(this::sign)
                .onSuccess(response -> {
                    req.response().putHeader("content-type", RESPONSE_TYPE).putHeader("cache-control", "no-store")
                            .end(Buffer.buffer(response));
                    if (logSensitive) {
                        LOG.log(Level.DEBUG, "issued a token to {0}", user[0]);
                    }
                })
                .onFailure(t -> refuse(req, t, user[0]));
    }

    /** The user, or a 401 (no or wrong credentials) or 400 (unreadable credentials). */
    private Future<String> authenticate(HttpServerRequest req) {
        Future<String> result;
        try {
            // The issuer is an origin, so its users send Authorization (RFC 9110 §11.6.2), checked against exactly
            // the accounts, hashes, keys and client certificates the proxy checks Proxy-Authorization against.
            result = users.get().authenticate(req.getHeader("authorization"), req.connection().sslSession());
        } catch (ProxyFailure f) {
            result = Future.failedFuture(f);
        }
        return result.recover(t -> {
            if (t instanceof ProxyFailure f && f.status() == 400) {
                return Future.failedFuture(new Refusal(400, "malformed Authorization"));
            }
            if (t instanceof ProxyFailure) { // 407 (none given) or 403 (not accepted): for an origin both are 401
                return Future.failedFuture(new Refusal(401, "authentication required"));
            }
            return Future.failedFuture(t);
        });
    }

    /** §6.2 checks and the key's not-before; returns what to sign once the user's limit allows. */
    private Admitted admit(byte[] body) {
        if (body.length < 3) {
            throw new Refusal(400, "not a TokenRequest");
        }
        TokenRequest request;
        try {
            request = TokenRequest.decode(body);
        } catch (PrivacyPassException e) { // unsupported token_type, blinded_msg of the wrong size
            throw new Refusal(422, e.reason().code());
        }
        IssuerKeys.Key key = keys.forTruncatedId(request.truncatedTokenKeyId())
                .orElseThrow(() -> new Refusal(422, "unknown truncated token key id"));
        if (!key.inUseAt(clock.instant())) {
            throw new Refusal(422, "token key not in use yet");
        }
        return new Admitted(key, request);
    }

    private record Admitted(IssuerKeys.Key key, TokenRequest request) { }

    /** BlindSign is an RSA private-key operation: a worker thread, not the event loop. */
    private Future<byte[]> sign(Admitted a) {
        return vertx.executeBlocking(() -> {
            try {
                return a.key().issuer().issue(a.request()).encode();
            } catch (PrivacyPassException e) { // blinded_msg not below the modulus
                throw new Refusal(422, e.reason().code());
            }
        }, false);
    }

    private void refuse(HttpServerRequest req, Throwable t, String user) {
        if (!(t instanceof Refusal r)) {
            LOG.log(Level.WARNING, "issuer: token request failed: {0}", t instanceof BlindRsaException b
                    ? b.error().text() : t.getClass().getName());
            finish(req, 500, "issuer error");
            return;
        }
        HttpServerResponse resp = req.response();
        if (r.status == 401) {
            resp.putHeader("www-authenticate", "Basic realm=\"" + name + "\", charset=\"UTF-8\"");
        } else if (r.status == 429) {
            resp.putHeader("retry-after", Long.toString(r.retryAfter));
        } else if (r.status == 413 && req.version() != HttpVersion.HTTP_2) {
            resp.putHeader("connection", "close"); // the rest of the body is not worth reading
        }
        if (logSensitive && user != null) {
            LOG.log(Level.DEBUG, "issuer: {0} for {1}: {2}", r.status, user, r.getMessage());
        } else {
            LOG.log(Level.DEBUG, "issuer: {0}: {1}", r.status, r.getMessage());
        }
        finish(req, r.status, r.getMessage());
    }

    private static HttpServerResponse plain(HttpServerRequest req, int status) {
        return req.response().setStatusCode(status).putHeader("content-type", "text/plain; charset=utf-8")
                .putHeader("cache-control", "no-store");
    }

    private static void finish(HttpServerRequest req, int status, String text) {
        if (req.response().ended()) {
            return;
        }
        plain(req, status).end(text + "\n");
    }

    /** The body, up to {@link #MAX_BODY} bytes; beyond that a 413. */
    private static Future<Buffer> readBounded(HttpServerRequest req) {
        String length = req.getHeader("content-length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > MAX_BODY) {
                    return Future.failedFuture(new Refusal(413, "a TokenRequest is " + TokenRequest.LENGTH + " bytes"));
                }
            } catch (NumberFormatException e) {
                return Future.failedFuture(new Refusal(400, "bad Content-Length"));
            }
        }
        Promise<Buffer> p = Promise.promise();
        Buffer acc = Buffer.buffer();
        req.handler(b -> {
            if (acc.length() + b.length() > MAX_BODY) {
                p.tryFail(new Refusal(413, "a TokenRequest is " + TokenRequest.LENGTH + " bytes"));
            } else if (!p.future().isComplete()) {
                acc.appendBuffer(b);
            }
        });
        req.endHandler(v -> p.tryComplete(acc));
        req.exceptionHandler(p::tryFail);
        return p.future();
    }

    /** {@code application/private-token-request}, parameters and case aside (RFC 9110 §8.3.1). */
    static boolean isRequestType(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        return type.equals(REQUEST_TYPE);
    }

}
