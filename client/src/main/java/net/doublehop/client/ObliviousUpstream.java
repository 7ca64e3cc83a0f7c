package net.doublehop.client;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import net.doublehop.runtime.vertx.LoopContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.sf.Member;
import net.doublehop.protocol.sf.StructuredFields;
import net.doublehop.runtime.nexthop.Http2ClientConnection;
import net.doublehop.runtime.nexthop.Http2Tls;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.nexthop.NextHopConnection;
import net.doublehop.runtime.transport.QuicTls;

/**
 * Oblivious mode, the iCloud Private Relay split: the client opens one tunnel to Proxy B's own address through
 * Proxy A (A authenticates the user, locates them and answers with the signed geohash), speaks to B end to end
 * inside it, and sends each destination's CONNECT (CONNECT-UDP) to B there, with the signed geohash and a
 * credential for B that does not name the account (a Privacy Pass token, or a preshared key). Inside the tunnel
 * ({@code --b-transport}): TLS 1.3 and HTTP/2 in a CONNECT to B's TCP port, or QUIC and HTTP/3 over a CONNECT-UDP
 * flow to B's QUIC port ({@link QuicOverConnectUdp}). A sees who and how much, never where; B sees where and A's
 * signed region, never who.
 *
 * <p>A's signature expires soon (A's {@code signing.validity}); B accepts it only on the connection that first
 * presented it. So one inner connection serves tunnels while its signature is good, and a new tunnel through A
 * (with a fresh signature) replaces it {@link #RENEW_BEFORE} before it expires; the old one drains.
 */
final class ObliviousUpstream implements Upstream {

    private static final Logger LOG = System.getLogger("doublehop-client");
    /** A new inner connection is opened once the current signature has less than this left. */
    static final Duration RENEW_BEFORE = Duration.ofSeconds(10);
    /** How often a drained inner QUIC connection is checked for its last stream. */
    private static final long DRAIN_CHECK_MS = 1000;

    private final Vertx vertx;
    private final ProxyAConnection proxyA;
    private final Authorization aAuthorization;
    private final Authorization bAuthorization;
    private final Optional<String> geohash;
    private final ConnectTarget proxyB;
    private final String bServerName;
    private final ClientOptions.BTransport transport;
    private final SslContext bTls;
    private final QuicSslContext bQuicTls;
    private final MasqueUriTemplate bUdpTemplate;
    /** Per event loop; each entry is only touched on its own loop. */
    private final Map<EventLoop, Future<Inner>> inner = new ConcurrentHashMap<>();

    /** A connection to B inside a tunnel through A, and the signed geohash A answered that tunnel with. */
    private record Inner(NextHopConnection connection, MultiMap signedGeohash, long expiresEpochSecond) { }

    ObliviousUpstream(Vertx vertx, ProxyAConnection proxyA, Authorization aAuthorization,
            Authorization bAuthorization, Optional<String> geohash, URI proxyB, ClientOptions.BTransport transport,
            Optional<Path> cacert, boolean insecure) {
        this.vertx = vertx;
        this.proxyA = proxyA;
        this.aAuthorization = aAuthorization;
        this.bAuthorization = bAuthorization;
        this.geohash = geohash;
        this.proxyB = new ConnectTarget(proxyB.getHost(), ClientOptions.port(proxyB));
        this.bServerName = proxyB.getHost();
        this.transport = transport;
        this.bTls = transport == ClientOptions.BTransport.TLS
                ? Http2Tls.client(vertx, cacert, Optional.empty(), Optional.empty(), insecure) : null;
        this.bQuicTls = transport == ClientOptions.BTransport.QUIC
                ? QuicTls.client(vertx, cacert, Optional.empty(), Optional.empty(), insecure) : null;
        this.bUdpTemplate = MasqueUriTemplate.defaultFor(proxyB.getHost(), ClientOptions.port(proxyB));
    }

    @Override
    public Future<NextHopAnswer> openTcp(LoopContext context, ConnectTarget target, Future<?> cancelled) {
        return send(context, cancelled, (c, headers) -> TunnelRequests.connect(c, target, headers, cancelled));
    }

    @Override
    public Future<NextHopAnswer> openUdp(LoopContext context, ConnectTarget target, Future<?> cancelled) {
        return send(context, cancelled,
                (c, headers) -> TunnelRequests.connectUdp(c, bUdpTemplate, target, headers, cancelled));
    }

    private interface Send {
        Future<NextHopAnswer> on(NextHopConnection c, MultiMap headers);
    }

    /**
     * Sends a request to B on {@code context}'s inner connection: B's credential and A's signed geohash, nothing
     * else. A refusal by A (its answer to the tunnel to B) is returned as the answer, for the listener to pass on.
     */
    private Future<NextHopAnswer> send(LoopContext context, Future<?> cancelled, Send send) {
        Promise<NextHopAnswer> result = context.promise();
        long timer = vertx.setTimer(ProxyAConnection.ANSWER_TIMEOUT.toMillis(),
                id -> result.tryFail("the proxies did not answer in time"));
        cancelled.onComplete(v -> result.tryFail("cancelled"));
        context.runOnContext(v -> inner(context).compose(in -> {
            if (in.refusal() != null) {
                return Future.succeededFuture(in.refusal());
            }
            return bAuthorization.next().compose(auth -> {
                MultiMap h = MultiMap.caseInsensitiveMultiMap().addAll(in.inner().signedGeohash())
                        .set(HeaderNames.PROXY_AUTHORIZATION, auth);
                return send.on(in.inner().connection(), h);
            });
        }).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.failed()) {
                result.tryFail(ar.cause());
            } else if (!result.tryComplete(ar.result())) {
                ar.result().abandon();
            }
        }));
        return result.future();
    }

    /** The inner connection, or A's refusal of the tunnel to B. */
    private record Opened(Inner inner, NextHopAnswer refusal) { }

    /** The inner connection of {@code context}'s loop while usable and its signature has time left, or a new one. */
    private Future<Opened> inner(LoopContext context) {
        EventLoop loop = context.nettyEventLoop();
        Future<Inner> current = inner.get(loop);
        long now = System.currentTimeMillis() / 1000;
        if (current != null && !current.isComplete()) {
            return current.map(i -> new Opened(i, null));
        }
        if (current != null && current.succeeded() && current.result().connection().isUsable()
                && current.result().expiresEpochSecond() - now > RENEW_BEFORE.toSeconds()) {
            return Future.succeededFuture(new Opened(current.result(), null));
        }
        if (current != null && current.succeeded()) {
            // drains: its open tunnels go on; it is closed once they are done, or now if there are none
            closeWhenIdle(current.result().connection());
        }
        Promise<Inner> opening = context.promise();
        inner.put(loop, opening.future());
        Promise<Opened> result = context.promise();
        Future<?> never = Promise.promise().future();
        aHeaders().compose(h -> transport == ClientOptions.BTransport.QUIC
                        ? proxyA.connectUdp(context, proxyB, h, never)
                        : proxyA.connect(context, proxyB, h, never))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        opening.fail(ar.cause());
                        result.fail(ar.cause());
                        return;
                    }
                    NextHopAnswer answer = ar.result();
                    if (answer.status() / 100 != 2 && answer.status() != 101) {
                        answer.abandon();
                        opening.fail("refused by Proxy A: " + answer.status());
                        result.complete(new Opened(null, answer));
                        return;
                    }
                    MultiMap signed = MultiMap.caseInsensitiveMultiMap();
                    for (String name : new String[] {HeaderNames.SEC_CH_GEOHASH, HeaderNames.SIGNATURE_INPUT,
                            HeaderNames.SIGNATURE}) {
                        String v = answer.header(name);
                        if (v != null) {
                            signed.set(name, v);
                        }
                    }
                    long expires = expires(signed.get(HeaderNames.SIGNATURE_INPUT));
                    Future<? extends NextHopConnection> toB = transport == ClientOptions.BTransport.QUIC
                            ? QuicOverConnectUdp.open(context, answer.datagrams(), bServerName, bQuicTls,
                                    ProxyAConnection.CONNECT_TIMEOUT, ProxyAConnection.QUIC_IDLE)
                            : Http2ClientConnection.over(context, ProxyAConnection.carrier(answer), bServerName,
                                    proxyB.port(), bTls, ProxyAConnection.CONNECT_TIMEOUT);
                    toB.onComplete(c -> {
                        if (c.failed()) {
                            LOG.log(Level.DEBUG, "{0} to Proxy B through A failed: {1}",
                                    transport == ClientOptions.BTransport.QUIC ? "QUIC" : "TLS", c.cause().toString());
                            opening.fail(c.cause());
                            result.fail(c.cause());
                        } else {
                            Inner in = new Inner(c.result(), signed, expires);
                            opening.complete(in);
                            result.complete(new Opened(in, null));
                        }
                    });
                });
        return result.future();
    }

    /** Takes no new tunnels; closes once its open ones are done (HTTP/2: at its last stream; QUIC: checked each second). */
    private void closeWhenIdle(NextHopConnection c) {
        if (c instanceof Http2ClientConnection h2) {
            h2.closeWhenIdle();
            return;
        }
        if (c.activeStreams() == 0) {
            c.close();
            return;
        }
        vertx.setPeriodic(DRAIN_CHECK_MS, id -> {
            if (!c.isOpen() || c.activeStreams() == 0) {
                vertx.cancelTimer(id);
                c.close();
            }
        });
    }

    /** Our credential for A and the coarser location asked for; A learns that we go to B, nothing more. */
    private Future<MultiMap> aHeaders() {
        return aAuthorization.next().map(auth -> {
            MultiMap h = MultiMap.caseInsensitiveMultiMap().set(HeaderNames.PROXY_AUTHORIZATION, auth);
            geohash.ifPresent(g -> h.set(HeaderNames.SEC_CH_GEOHASH, g));
            return h;
        });
    }

    /**
     * The {@code expires} of A's signature (RFC 9421 §2.3), or "now + RENEW_BEFORE" when A sent none (it was not
     * asked to locate us, or signs nothing): then every tunnel gets a fresh connection's worth of checking.
     */
    static long expires(String signatureInput) {
        long fallback = System.currentTimeMillis() / 1000 + RENEW_BEFORE.toSeconds();
        if (signatureInput == null) {
            return fallback;
        }
        try {
            for (Member m : StructuredFields.parseDictionary(signatureInput).values()) {
                if (m.param("expires") instanceof Long e) {
                    return e;
                }
            }
        } catch (IllegalArgumentException malformed) {
            // B will refuse it; the connection is renewed at once
        }
        return fallback;
    }

    @Override
    public void close() {
        inner.values().forEach(f -> f.onSuccess(i -> i.connection().close()));
        proxyA.close();
    }
}
