package net.doublehop.client;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.masque.UdpTarget;
import net.doublehop.runtime.nexthop.Http2ClientConnection;
import net.doublehop.runtime.nexthop.Http2Tls;
import net.doublehop.runtime.nexthop.Http3ClientConnection;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.nexthop.NextHopConnection;
import net.doublehop.runtime.transport.QuicTls;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * The client's connections to Proxy A ({@code --http-version}). HTTP/2 (TLS 1.3, ALPN h2) and HTTP/3: per event
 * loop one multiplexed connection, as a browser keeps one per proxy, carrying every tunnel of that loop's listener
 * as a stream (the relay then stays on one thread); it is opened on first use and again when it died or got
 * GOAWAY. The codecs are the ones A itself uses towards B ({@link Http2ClientConnection},
 * {@link Http3ClientConnection}). HTTP/1.1: a TLS connection of its own per tunnel ({@link Http1ProxyTunnel}). Each
 * request is bounded by {@link #ANSWER_TIMEOUT}.
 */
final class ProxyAConnection {

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** A's answer includes B's dial to the destination; A bounds both, this is only the client's backstop. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);
    static final Duration QUIC_IDLE = Duration.ofMinutes(5);

    private final Vertx vertx;
    private final InetSocketAddress server;
    private final String serverName;
    private final ClientOptions.HttpVersion version;
    private final SslContext tcpTls;
    private final QuicSslContext quicTls;
    private final MasqueUriTemplate udpTemplate;
    /** The local address of connections to A, or null for the system's choice. */
    private final InetSocketAddress local;
    /** Per event loop; each entry is only touched on its own loop. */
    private final Map<EventLoop, Future<? extends NextHopConnection>> current = new ConcurrentHashMap<>();

    ProxyAConnection(Vertx vertx, URI proxyA, ClientOptions.HttpVersion version, MasqueUriTemplate udpTemplate,
            Optional<java.nio.file.Path> cacert, boolean insecure, Optional<java.net.InetAddress> source) {
        this.local = source.map(a -> new InetSocketAddress(a, 0)).orElse(null);
        this.vertx = vertx;
        this.serverName = proxyA.getHost();
        this.server = new InetSocketAddress(proxyA.getHost(), ClientOptions.port(proxyA));
        this.version = version;
        this.udpTemplate = udpTemplate;
        this.tcpTls = switch (version) {
            case H1 -> Http2Tls.client(vertx, cacert, Optional.empty(), Optional.empty(), insecure,
                    ApplicationProtocolNames.HTTP_1_1);
            case H2 -> Http2Tls.client(vertx, cacert, Optional.empty(), Optional.empty(), insecure);
            case H3 -> null;
        };
        this.quicTls = version == ClientOptions.HttpVersion.H3
                ? QuicTls.client(vertx, cacert, Optional.empty(), Optional.empty(), insecure) : null;
    }

    /** CONNECT {@code target} with {@code headers}. */
    Future<NextHopAnswer> connect(LoopContext context, ConnectTarget target, MultiMap headers, Future<?> cancelled) {
        if (version == ClientOptions.HttpVersion.H1) {
            return bounded(context, () -> Http1ProxyTunnel.open(context, server, local, serverName, tcpTls,
                    CONNECT_TIMEOUT, HttpMethod.CONNECT, target.authority(), target.authority(), headers, cancelled),
                    cancelled);
        }
        return send(context, c -> TunnelRequests.connect(c, target, headers, cancelled), cancelled);
    }

    /** CONNECT-UDP to {@code target} on A's template: extended CONNECT, or over HTTP/1.1 an Upgrade (RFC 9298 §3.2). */
    Future<NextHopAnswer> connectUdp(LoopContext context, ConnectTarget target, MultiMap headers, Future<?> cancelled) {
        if (version == ClientOptions.HttpVersion.H1) {
            String path = udpTemplate.expandPathAndQuery(new UdpTarget(target.host(), target.port()));
            MultiMap h = MultiMap.caseInsensitiveMultiMap().addAll(headers).set("connection", "Upgrade")
                    .set("upgrade", "connect-udp").set("capsule-protocol", "?1");
            return bounded(context, () -> Http1ProxyTunnel.open(context, server, local, serverName, tcpTls,
                    CONNECT_TIMEOUT, HttpMethod.GET, path, udpTemplate.authority(), h, cancelled), cancelled);
        }
        return send(context, c -> TunnelRequests.connectUdp(c, udpTemplate, target, headers, cancelled), cancelled);
    }

    /**
     * A's answer to a CONNECT as a channel of plain bytes, for a protocol of our own inside the tunnel (oblivious
     * mode's TLS to B): the stream (HTTP/2, HTTP/3) or the connection (HTTP/1.1). Called on its event loop.
     */
    static Channel carrier(NextHopAnswer answer) {
        if (answer instanceof Http2ClientConnection.Answer h2) {
            return h2.carrier();
        }
        if (answer instanceof Http3ClientConnection.Answer h3) {
            return h3.carrier();
        }
        return ((Http1ProxyTunnel.Answer) answer).carrier();
    }

    private interface Send {
        Future<? extends NextHopAnswer> on(NextHopConnection c);
    }

    /** Sends on {@code context}'s connection; the answer completes on {@code context}. */
    private Future<NextHopAnswer> send(LoopContext context, Send send, Future<?> cancelled) {
        return bounded(context, () -> connection(context).compose(send::on), cancelled);
    }

    /** Runs {@code request} on {@code context}, bounded by {@link #ANSWER_TIMEOUT}; a late answer is dropped. */
    private Future<NextHopAnswer> bounded(LoopContext context,
            java.util.function.Supplier<Future<? extends NextHopAnswer>> request, Future<?> cancelled) {
        Promise<NextHopAnswer> result = context.promise();
        long timer = vertx.setTimer(ANSWER_TIMEOUT.toMillis(), id -> result.tryFail("Proxy A did not answer in time"));
        cancelled.onComplete(v -> result.tryFail("cancelled"));
        context.runOnContext(v -> request.get().onComplete(ar -> {
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
        Future<? extends NextHopConnection> opening = version == ClientOptions.HttpVersion.H3
                ? Http3ClientConnection.connect(context, server, local, serverName, quicTls, CONNECT_TIMEOUT,
                        QUIC_IDLE)
                : Http2ClientConnection.connect(context, server, local, serverName, tcpTls, CONNECT_TIMEOUT);
        current.put(context.nettyEventLoop(), opening);
        return opening;
    }

    void close() {
        current.values().forEach(c -> c.onSuccess(NextHopConnection::close));
    }
}
