package net.doublehop.proxya.upstream;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import net.doublehop.runtime.vertx.LoopContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.nexthop.Http2ClientConnection;
import net.doublehop.runtime.nexthop.Http2Tls;
import net.doublehop.runtime.nexthop.Http3ClientConnection;
import net.doublehop.runtime.transport.QuicTls;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.nexthop.NextHopConnection;

/**
 * A→B connections (HTTP/2 over TLS, or HTTP/3 with {@code upstream.protocol: h3}) on Netty's codecs, a few of them
 * each carrying many streams ({@link NextHopConnections}), and the requests sent on them: CONNECT here, CONNECT-UDP
 * from {@link UdpUpstream}. Netty's codecs rather than Vert.x's HTTP client: a tunnel's data then stays in the
 * frames' own buffers both ways, where Vert.x copied every DATA frame to the heap and the TLS handler copied it back.
 *
 * <p>Each request is bounded twice by {@code upstream.connect-timeout}: a connection (504 connection_timeout), then
 * B's answer (504 http_response_timeout, the stream reset). One that fails before B answered (GOAWAY, REFUSED_STREAM,
 * the connection died) is retried once on another connection.
 *
 * <p>In front of both, a circuit breaker ({@link NextHopCircuitBreaker}, {@code upstream.circuit-breaker}): when B
 * keeps failing, new tunnels get a fast 503 for a cool-down rather than each waiting for a connect timeout.
 */
public final class UpstreamPool {

    static final ProxyFailure UNAVAILABLE = new ProxyFailure(ProxyErrorType.DESTINATION_UNAVAILABLE, 503,
            "next hop unavailable");
    /**
     * The same answer as {@link #UNAVAILABLE} when no connection to B could be made at all: the one failure (with
     * {@link #CONNECT_TIMEOUT}) that tells the circuit breaker B is down, where a stream failing or B answering
     * slowly (its answer waits for the destination's dial) says nothing about B itself.
     */
    static final ProxyFailure NO_CONNECTION = new ProxyFailure(ProxyErrorType.DESTINATION_UNAVAILABLE, 503,
            "next hop unavailable");
    static final ProxyFailure CONNECT_TIMEOUT = new ProxyFailure(ProxyErrorType.CONNECTION_TIMEOUT, 504,
            "no connection to the next hop in time");
    static final ProxyFailure ANSWER_TIMEOUT = new ProxyFailure(ProxyErrorType.HTTP_RESPONSE_TIMEOUT, 504,
            "next hop did not answer in time");
    /** The client went away before B answered: nothing is sent to it, and nothing is left open at B. */
    public static final ProxyFailure ABANDONED = new ProxyFailure(ProxyErrorType.CONNECTION_TERMINATED, 502,
            "client went away before the next hop answered");

    /** Above this many streams on every connection, open another (up to max-connections) to spread load. */
    static final int SPREAD_ABOVE_STREAMS = 100;

    /** QUIC closes a connection idle this long; B's side decides too. */
    private static final Duration QUIC_IDLE = Duration.ofMinutes(5);

    private final Vertx vertx;
    private final ProxyAConfig.Upstream settings;
    private final NextHopConnections<Http2ClientConnection> h2;
    private final NextHopConnections<Http3ClientConnection> h3;
    private final NextHopCircuitBreaker breaker;
    private final net.doublehop.runtime.metrics.ProxyMetrics metrics;

    /** @param metrics where the shed requests and the circuit breaker's state are counted */
    public UpstreamPool(Vertx vertx, ProxyAConfig.Upstream settings, net.doublehop.runtime.metrics.ProxyMetrics metrics) {
        this.vertx = vertx;
        this.settings = settings;
        this.metrics = metrics;
        this.breaker = new NextHopCircuitBreaker(settings.circuitBreaker(), System::nanoTime,
                metrics::nextHopCircuitOpened);
        metrics.nextHopCircuit(() -> breaker.state().ordinal());
        InetSocketAddress b = new InetSocketAddress(settings.host(), settings.port());
        if (settings.http3()) {
            var tls = QuicTls.client(vertx, settings.trust(), settings.clientCertificate(), settings.clientKey(),
                    settings.insecure());
            this.h3 = new NextHopConnections<>(settings.maxConnections(), SPREAD_ABOVE_STREAMS,
                    ctx -> Http3ClientConnection.connect(ctx, b, settings.host(), tls, settings.connectTimeout(),
                            QUIC_IDLE));
            this.h2 = null;
        } else {
            var tls = Http2Tls.client(vertx, settings.trust(), settings.clientCertificate(), settings.clientKey(),
                    settings.insecure());
            this.h2 = new NextHopConnections<>(settings.maxConnections(), SPREAD_ABOVE_STREAMS,
                    ctx -> Http2ClientConnection.connect(ctx, b, settings.host(), tls, settings.connectTimeout()));
            this.h3 = null;
        }
    }

    /** A request to B in either protocol; {@code cancelled} completing before the answer resets its stream. */
    interface Request {
        Future<? extends NextHopAnswer> send(Http2ClientConnection c, Future<?> cancelled);

        Future<? extends NextHopAnswer> send(Http3ClientConnection c, Future<?> cancelled);
    }

    /**
     * CONNECT to {@code target} through B (RFC 9113 §8.5, RFC 9114 §4.4: only :method and :authority).
     *
     * @param headers the request's headers, asked for once per attempt (a retry signs the location anew)
     * @param abandoned completes when the client goes away; a stream not yet answered is then reset
     */
    public Future<NextHopAnswer> open(ConnectTarget target, Supplier<MultiMap> headers, Future<?> abandoned) {
        // host and port always, an IPv6 literal in brackets (see ConnectAuthority)
        String authority = ConnectAuthority.of(target).toString();
        return send(new Request() {
            @Override
            public Future<? extends NextHopAnswer> send(Http2ClientConnection c, Future<?> cancelled) {
                Http2Headers h = new DefaultHttp2Headers().method("CONNECT").authority(authority);
                headers.get().forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
                return c.request(h, cancelled);
            }

            @Override
            public Future<? extends NextHopAnswer> send(Http3ClientConnection c, Future<?> cancelled) {
                Http3Headers h = new DefaultHttp3Headers().method("CONNECT").authority(authority);
                headers.get().forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
                return c.request(h, cancelled);
            }
        }, abandoned);
    }

    /**
     * Sends {@code request} on a pooled connection of the configured protocol, from the caller's context; refused
     * at once while the circuit breaker is open, and its outcome told to the breaker: B answered (whatever the
     * status), no connection to B (refused, failed, or not within the connect timeout), or nothing is known about
     * B (the user left first; a stream failed; B's answer came too late, which a slow destination causes too).
     */
    Future<NextHopAnswer> send(Request request, Future<?> abandoned) {
        Object identity = new Object();
        try {
            breaker.admit(identity);
        } catch (ProxyFailure open) {
            metrics.shed("circuit_open");
            return Future.failedFuture(open);
        }
        LoopContext ctx = LoopContext.current(vertx);
        Future<NextHopAnswer> answer = h3 != null
                ? attempt(h3, ctx, request::send, abandoned, null, true)
                : attempt(h2, ctx, request::send, abandoned, null, true);
        return answer.onComplete(ar -> {
            if (ar.succeeded()) {
                breaker.succeeded(identity);
            } else if (ar.cause() == NO_CONNECTION || ar.cause() == CONNECT_TIMEOUT) {
                breaker.failed(identity);
            } else {
                breaker.abandoned(identity); // the user left, or a stream-level failure: nothing known about B
            }
        });
    }

    private <C extends NextHopConnection> Future<NextHopAnswer> attempt(NextHopConnections<C> pool,
            LoopContext ctx, BiFunction<C, Future<?>, Future<? extends NextHopAnswer>> send, Future<?> abandoned,
            C avoid, boolean mayRetry) {
        long timeoutMs = Math.max(1, settings.connectTimeout().toMillis());
        Promise<NextHopAnswer> result = ctx.promise();
        abandoned.onComplete(v -> result.tryFail(ABANDONED));
        long connectTimer = vertx.setTimer(timeoutMs, id -> result.tryFail(CONNECT_TIMEOUT));
        pool.acquire(ctx, avoid).onComplete(acquired -> {
            vertx.cancelTimer(connectTimer);
            if (result.future().isComplete()) {
                return; // timed out or abandoned; a connection that came late stays for the next requests
            }
            if (acquired.failed()) {
                result.tryFail(NO_CONNECTION);
                return;
            }
            C conn = acquired.result();
            // Whatever ends this attempt without an answer (the user leaving, B's silence) resets the stream.
            Promise<Void> cancel = Promise.promise();
            result.future().onFailure(e -> cancel.tryComplete());
            long answerTimer = vertx.setTimer(timeoutMs, id -> result.tryFail(ANSWER_TIMEOUT));
            send.apply(conn, cancel.future()).onComplete(answered -> {
                vertx.cancelTimer(answerTimer);
                if (answered.succeeded()) {
                    settle(result, answered.result());
                } else if (!result.future().isComplete() && mayRetry) {
                    // Failed before B answered: B did not act on it, so once more on another connection.
                    attempt(pool, ctx, send, abandoned, conn, false).onComplete(retried -> {
                        if (retried.succeeded()) {
                            settle(result, retried.result());
                        } else {
                            result.tryFail(retried.cause());
                        }
                    });
                } else {
                    result.tryFail(answered.cause() instanceof ProxyFailure f ? f : UNAVAILABLE);
                }
            });
        });
        return result.future();
    }

    /** An answer nobody waits for any more (the user left, the timeout struck) is dropped at B. */
    private static void settle(Promise<NextHopAnswer> result, NextHopAnswer answer) {
        if (!result.tryComplete(answer)) {
            answer.abandon();
        }
    }

    /** Usable connections to B. */
    public int liveConnections() {
        return h3 != null ? h3.live() : h2.live();
    }

    /** Closes every connection to B, and the tunnels on them. */
    public Future<Void> close() {
        if (h3 != null) {
            h3.close();
        } else {
            h2.close();
        }
        return Future.succeededFuture();
    }
}
