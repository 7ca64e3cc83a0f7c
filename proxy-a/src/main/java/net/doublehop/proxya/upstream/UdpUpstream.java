package net.doublehop.proxya.upstream;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.internal.ContextInternal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.masque.UdpTarget;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.h2.Http2ClientConnection;
import net.doublehop.runtime.h2.Http2Tls;
import net.doublehop.runtime.h3.Http3ClientConnection;
import net.doublehop.runtime.h3.QuicTls;
import net.doublehop.runtime.relay.CapsuleDatagramEnd;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.NextHopAnswer;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * CONNECT-UDP flows from A to B over the upstream protocol: with {@code h3}, extended CONNECT on one QUIC connection
 * per event loop with HTTP/3 datagrams (capsules when B does not take datagrams); with {@code h2}, extended CONNECT
 * on one HTTP/2 connection per event loop with capsules, or, when B's SETTINGS do not allow extended CONNECT,
 * an HTTP/1.1 upgrade on a connection of its own ({@link UpstreamPool#openUdp}). The connections are Netty's codecs
 * on the caller's event loop, so a flow's client end, its B end and the bridge between them share one thread.
 */
public final class UdpUpstream {

    private final Vertx vertx;
    private final ProxyAConfig.Upstream settings;
    private final UpstreamPool http1;
    private final String authority;
    private final MasqueUriTemplate template;
    private final QuicSslContext quicTls;
    private final SslContext tcpTls;
    private final Map<EventLoop, Future<Http3ClientConnection>> h3 = new ConcurrentHashMap<>();
    private final Map<EventLoop, Future<Http2ClientConnection>> h2 = new ConcurrentHashMap<>();

    public UdpUpstream(Vertx vertx, ProxyAConfig.Upstream settings, UpstreamPool http1) {
        this.vertx = vertx;
        this.settings = settings;
        this.http1 = http1;
        this.template = settings.udpTemplate();
        // :authority of the extended CONNECT: the template's, which names B (RFC 9298 §3.4)
        this.authority = template.authority();
        this.quicTls = settings.http3() ? QuicTls.client(vertx, settings.trust(), settings.clientCertificate(),
                settings.clientKey(), settings.insecure()) : null;
        this.tcpTls = settings.http3() ? null : Http2Tls.client(vertx, settings.trust(), settings.clientCertificate(),
                settings.clientKey(), settings.insecure());
    }

    /**
     * Opens a flow to {@code target} through B. Bounded by the connect timeout twice (connection, then B's answer);
     * when {@code abandoned} completes first, whatever was opened at B is dropped.
     */
    public Future<NextHopAnswer> open(ConnectTarget target, MultiMap headers, Future<?> abandoned) {
        ContextInternal ctx = (ContextInternal) vertx.getOrCreateContext();
        String path = template.expandPathAndQuery(new UdpTarget(target.host(), target.port()));
        Future<NextHopAnswer> attempt;
        if (settings.http3()) {
            attempt = connection(h3, ctx, this::connectH3, Http3ClientConnection::isActive)
                    .compose(c -> c.request(h3Head(path, headers), abandoned).map(a -> (NextHopAnswer) a));
        } else {
            attempt = connection(h2, ctx, this::connectH2, Http2ClientConnection::isUsable)
                    .compose(c -> c.extendedConnect()
                            ? c.request(h2Head(path, headers), abandoned).map(a -> (NextHopAnswer) a)
                            : http1.openUdp(target, headers, abandoned).map(a -> upgrade(a.response())));
        }
        return bounded(attempt, abandoned);
    }

    private <C> Future<C> connection(Map<EventLoop, Future<C>> live, ContextInternal ctx,
            Function<ContextInternal, Future<C>> connect, java.util.function.Predicate<C> usable) {
        return live.compute(ctx.nettyEventLoop(), (loop, existing) -> {
            if (existing != null && (!existing.isComplete() || existing.succeeded() && usable.test(existing.result()))) {
                return existing;
            }
            Future<C> fresh = connect.apply(ctx);
            fresh.onFailure(e -> live.remove(loop, fresh));
            return fresh;
        });
    }

    private Future<Http3ClientConnection> connectH3(ContextInternal ctx) {
        return Http3ClientConnection.connect(ctx, new InetSocketAddress(settings.host(), settings.port()),
                settings.host(), quicTls, settings.connectTimeout(), Duration.ofMinutes(5));
    }

    private Future<Http2ClientConnection> connectH2(ContextInternal ctx) {
        return Http2ClientConnection.connect(ctx, new InetSocketAddress(settings.host(), settings.port()),
                settings.host(), tcpTls, settings.connectTimeout());
    }

    private Http3Headers h3Head(String path, MultiMap headers) {
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").protocol("connect-udp").scheme("https")
                .authority(authority).path(path).add("capsule-protocol", "?1");
        headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return h;
    }

    private Http2Headers h2Head(String path, MultiMap headers) {
        Http2Headers h = new DefaultHttp2Headers().method("CONNECT").scheme("https").authority(authority).path(path);
        h.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
        h.add("capsule-protocol", "?1");
        headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return h;
    }

    /** Two connect timeouts at most (connection, then answer); a late answer, or one nobody waits for, is dropped. */
    private Future<NextHopAnswer> bounded(Future<NextHopAnswer> attempt, Future<?> abandoned) {
        Promise<NextHopAnswer> result = Promise.promise();
        long timer = vertx.setTimer(2 * Math.max(1, settings.connectTimeout().toMillis()),
                id -> result.tryFail(UpstreamPool.ANSWER_TIMEOUT));
        abandoned.onComplete(v -> result.tryFail(UpstreamPool.ABANDONED));
        attempt.onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                if (!result.tryComplete(ar.result())) {
                    ar.result().abandon();
                }
            } else {
                result.tryFail(ar.cause() instanceof net.doublehop.protocol.ProxyFailure f ? f : UpstreamPool.UNAVAILABLE);
            }
        });
        return result.future();
    }

    /** B's answer to an HTTP/1.1 upgrade; the flow is the upgraded connection, capsules on it. */
    private static NextHopAnswer upgrade(HttpClientResponse b) {
        return new NextHopAnswer() {
            @Override
            public int status() {
                return b.statusCode();
            }

            @Override
            public String header(String name) {
                return b.getHeader(name);
            }

            @Override
            public TunnelEnd tunnel() {
                throw new IllegalStateException("a CONNECT-UDP answer carries datagrams, not a byte tunnel");
            }

            @Override
            public DatagramEnd datagrams() {
                return new CapsuleDatagramEnd(TunnelEnd.tcp(b.netSocket()));
            }

            @Override
            public void abandon() {
                // The connection was the flow's own (UpstreamPool.openUdp): nothing else will use it.
                b.request().connection().close();
            }
        };
    }

    public void close() {
        h3.values().forEach(f -> f.onSuccess(Http3ClientConnection::close));
        h2.values().forEach(f -> f.onSuccess(Http2ClientConnection::close));
    }
}
