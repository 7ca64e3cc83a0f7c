package net.doublehop.client;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import net.doublehop.runtime.vertx.LoopContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.masque.UdpTarget;
import net.doublehop.runtime.nexthop.Http2ClientConnection;
import net.doublehop.runtime.nexthop.Http2Tls;
import net.doublehop.runtime.nexthop.Http3ClientConnection;
import net.doublehop.runtime.transport.QuicTls;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.nexthop.NextHopConnection;

/**
 * The client's connections to Proxy A: per event loop one multiplexed HTTP/2 (TLS 1.3, ALPN h2) or HTTP/3
 * connection, as a browser keeps one per proxy, carrying every tunnel of that loop's listener as a stream (the relay
 * then stays on one thread); it is opened on first use and again when it died or got GOAWAY. The codecs are the ones A itself uses towards B ({@link Http2ClientConnection},
 * {@link Http3ClientConnection}). Each request is bounded by {@link #ANSWER_TIMEOUT}.
 */
final class ProxyAConnection {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** A's answer includes B's dial to the destination; A bounds both, this is only the client's backstop. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIC_IDLE = Duration.ofMinutes(5);

    private final Vertx vertx;
    private final InetSocketAddress server;
    private final String serverName;
    private final boolean h3;
    private final SslContext h2Tls;
    private final QuicSslContext h3Tls;
    private final MasqueUriTemplate udpTemplate;
    /** The local address of connections to A, or null for the system's choice. */
    private final InetSocketAddress local;
    /** Per event loop; each entry is only touched on its own loop. */
    private final Map<EventLoop, Future<? extends NextHopConnection>> current = new ConcurrentHashMap<>();

    ProxyAConnection(Vertx vertx, URI proxyA, boolean h3, MasqueUriTemplate udpTemplate,
            Optional<java.nio.file.Path> cacert, boolean insecure, Optional<java.net.InetAddress> source) {
        this.local = source.map(a -> new InetSocketAddress(a, 0)).orElse(null);
        this.vertx = vertx;
        this.serverName = proxyA.getHost();
        this.server = new InetSocketAddress(proxyA.getHost(), ClientOptions.port(proxyA));
        this.h3 = h3;
        this.udpTemplate = udpTemplate;
        this.h2Tls = h3 ? null : Http2Tls.client(vertx, cacert, Optional.empty(), Optional.empty(), insecure);
        this.h3Tls = h3 ? QuicTls.client(vertx, cacert, Optional.empty(), Optional.empty(), insecure) : null;
    }

    /** CONNECT {@code target} (RFC 9113 §8.5, RFC 9114 §4.4) with {@code headers}. */
    Future<NextHopAnswer> connect(LoopContext context, ConnectTarget target, MultiMap headers, Future<?> cancelled) {
        String authority = target.authority();
        return send(context, c -> {
            if (c instanceof Http3ClientConnection q) {
                Http3Headers h = new DefaultHttp3Headers().method("CONNECT").authority(authority);
                headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
                return q.request(h, cancelled);
            }
            Http2Headers h = new DefaultHttp2Headers().method("CONNECT").authority(authority);
            headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            return ((Http2ClientConnection) c).request(h, cancelled);
        }, cancelled);
    }

    /** CONNECT-UDP to {@code target} (RFC 9298 §3.4 on HTTP/3, §3.5 on HTTP/2): extended CONNECT on A's template. */
    Future<NextHopAnswer> connectUdp(LoopContext context, ConnectTarget target, MultiMap headers, Future<?> cancelled) {
        String path = udpTemplate.expandPathAndQuery(new UdpTarget(target.host(), target.port()));
        String authority = udpTemplate.authority();
        return send(context, c -> {
            if (c instanceof Http3ClientConnection q) {
                Http3Headers h = new DefaultHttp3Headers().method("CONNECT").protocol("connect-udp").scheme("https")
                        .authority(authority).path(path).add("capsule-protocol", "?1");
                headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
                return q.request(h, cancelled);
            }
            Http2ClientConnection h2 = (Http2ClientConnection) c;
            if (!h2.extendedConnect()) {
                return Future.failedFuture("Proxy A does not allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL)");
            }
            Http2Headers h = new DefaultHttp2Headers().method("CONNECT").scheme("https").authority(authority)
                    .path(path);
            h.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
            h.add("capsule-protocol", "?1");
            headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            return h2.request(h, cancelled);
        }, cancelled);
    }

    private interface Send {
        Future<? extends NextHopAnswer> on(NextHopConnection c);
    }

    /** Sends on {@code context}'s connection; the answer completes on {@code context}. */
    private Future<NextHopAnswer> send(LoopContext context, Send send, Future<?> cancelled) {
        Promise<NextHopAnswer> result = context.promise();
        long timer = vertx.setTimer(ANSWER_TIMEOUT.toMillis(), id -> result.tryFail("Proxy A did not answer in time"));
        cancelled.onComplete(v -> result.tryFail("cancelled"));
        context.runOnContext(v -> connection(context).compose(send::on).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.failed()) {
                result.tryFail(ar.cause());
            } else if (!result.tryComplete(ar.result())) {
                ar.result().abandon(); // nobody waits for it any more
            }
        }));
        return result.future();
    }

    /** The open connection of {@code context}'s event loop, or a new one; called on that loop. */
    private Future<? extends NextHopConnection> connection(LoopContext context) {
        Future<? extends NextHopConnection> c = current.get(context.nettyEventLoop());
        if (c != null && (!c.isComplete() || c.succeeded() && c.result().isUsable())) {
            return c;
        }
        if (c != null && c.succeeded()) {
            NextHopConnection old = c.result();
            if (old.activeStreams() == 0) {
                old.close();
            }
        }
        Future<? extends NextHopConnection> opening = h3
                ? Http3ClientConnection.connect(context, server, serverName, h3Tls, CONNECT_TIMEOUT, QUIC_IDLE)
                : Http2ClientConnection.connect(context, server, local, serverName, h2Tls, CONNECT_TIMEOUT);
        current.put(context.nettyEventLoop(), opening);
        return opening;
    }

    void close() {
        current.values().forEach(c -> c.onSuccess(NextHopConnection::close));
    }
}
