package net.doublehop.proxya.upstream;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConfig;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.masque.UdpTarget;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.server.ConnectionTracker;
import net.doublehop.runtime.server.Http2Windows;

/**
 * A→B connections: HTTP/2 over TLS, a few of them, each carrying many CONNECT streams. Requests go on an
 * explicit {@link HttpClientConnection} because that is what multiplexes CONNECT in Vert.x (DESIGN.md §4).
 * A connection that breaks is dropped and the next tunnel opens a new one; a tunnel whose stream could not
 * even be created on a dying connection is retried once on a fresh one.
 */
public final class UpstreamPool {

    static final ProxyFailure UNAVAILABLE = new ProxyFailure(ProxyErrorType.DESTINATION_UNAVAILABLE, 503,
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

    private final Vertx vertx;
    private final HttpClientAgent client;
    /**
     * CONNECT-UDP to B rides HTTP/1.1 upgrades, one dedicated connection per flow (Vert.x has no extended
     * CONNECT); its pool is never used, see {@link #openUdp}.
     */
    private final HttpClientAgent udpClient;
    private final ProxyAConfig.Upstream settings;
    private final List<HttpClientConnection> live = new ArrayList<>();
    private int connecting;
    private final List<Promise<HttpClientConnection>> waiting = new ArrayList<>();

    public UpstreamPool(Vertx vertx, ProxyAConfig.Upstream settings) {
        this.vertx = vertx;
        this.settings = settings;
        HttpClientOptions o = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_2)
                .setSsl(true)
                .setUseAlpn(true)
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setTcpNoDelay(true)
                .setVerifyHost(!settings.insecure())
                // Both ends are ours: TLS 1.3 only on the A→B leg.
                .setEnabledSecureTransportProtocols(java.util.Set.of("TLSv1.3"));
        o.getInitialSettings().setInitialWindowSize(Http2Windows.STREAM).setMaxFrameSize(64 * 1024);
        if (!settings.http3()) {
            net.doublehop.runtime.server.TlsEngine.apply(o); // QUIC brings its own BoringSSL
        }
        if (settings.insecure()) {
            o.setTrustAll(true);
        }
        settings.trust().ifPresent(t -> o.setTrustOptions(new PemTrustOptions().addCertPath(t.toString())));
        settings.clientCertificate().ifPresent(c -> o.setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(c.toString()).setKeyPath(settings.clientKey().orElseThrow().toString())));
        this.udpClient = vertx.createHttpClient(new HttpClientOptions(o).setProtocolVersion(HttpVersion.HTTP_1_1)
                .setAlpnVersions(List.of(HttpVersion.HTTP_1_1)));
        // HTTP/3 to B (upstream.protocol: h3): the same TLS material over QUIC; Vert.x takes it separately there.
        this.client = settings.http3()
                ? vertx.createHttpClient(new HttpClientConfig(o).setVersions(HttpVersion.HTTP_3), o.getSslOptions())
                : vertx.createHttpClient(o);
    }

    /** What B answered: its response (status, headers) and, on 2xx, the tunnel. */
    public record Answer(HttpClientResponse response) { }

    public Future<Answer> open(ConnectTarget target, MultiMap headers) {
        return open(target, headers, true);
    }

    private Future<Answer> open(ConnectTarget target, MultiMap headers, boolean mayRetry) {
        return connection().compose(conn -> conn.request(new RequestOptions()
                        .setMethod(HttpMethod.CONNECT)
                        // Vert.x validates the host as an authority's: an IPv6 literal needs its brackets
                        .setHost(ConnectAuthority.of(target).bracketedHost())
                        .setPort(target.port())
                        .setHeaders(headers))
                // CONNECT needs host and port in :authority; see ConnectAuthority.
                .compose(req -> req.authority(ConnectAuthority.of(target)).connect())
                .map(Answer::new)
                .recover(err -> {
                    // The stream failed before B answered: take this connection out of rotation (its open
                    // streams go on) and try once more on another.
                    drop(conn);
                    return mayRetry ? open(target, headers, false) : Future.failedFuture(UNAVAILABLE);
                }), err -> Future.failedFuture(UNAVAILABLE));
    }

    /**
     * A CONNECT-UDP flow to B: {@code GET} on B's default template with {@code Upgrade: connect-udp}, on a
     * connection of its own.
     *
     * <p>Not a pooled request: an upgraded HTTP/1.1 connection <em>is</em> the flow and never returns to a pool,
     * so a pool only limited how many flows could exist at once (Vert.x's default, 5 per host, left the 6th
     * waiting forever) without ever saving a handshake. Each flow therefore opens a dedicated connection. Both
     * steps are bounded by {@code upstream.connect-timeout} (also A's {@code limits.connect-timeout}): the
     * connection (TCP and TLS) and B's answer, 504 either way. Whenever the attempt ends without an answer
     * passed on (timeout, or {@code abandoned} completing because the client went away) the connection is
     * closed, so B never keeps a flow that nobody will use.
     *
     * @param abandoned completes when the client gives up before the answer
     */
    public Future<Answer> openUdp(ConnectTarget target, MultiMap headers, Future<?> abandoned) {
        String path = settings.udpTemplate()
                .expandPathAndQuery(new UdpTarget(target.host(), target.port()));
        headers.set("connection", "Upgrade").set("upgrade", "connect-udp").set("capsule-protocol", "?1");
        long timeoutMs = Math.max(1, settings.connectTimeout().toMillis());
        Promise<Answer> answer = Promise.promise();
        abandoned.onComplete(v -> answer.tryFail(ABANDONED));
        long[] timer = {vertx.setTimer(timeoutMs, id -> answer.tryFail(CONNECT_TIMEOUT))};
        udpClient.connect(new HttpConnectOptions().setHost(settings.host()).setPort(settings.port()))
                .onComplete(connected -> {
                    vertx.cancelTimer(timer[0]);
                    if (connected.failed()) {
                        answer.tryFail(UNAVAILABLE);
                        return;
                    }
                    HttpClientConnection conn = connected.result();
                    conn.exceptionHandler(ConnectionTracker::logQuietly);
                    // From here on, an attempt that fails (now or later) takes its connection with it.
                    answer.future().onFailure(e -> conn.close());
                    if (answer.future().isComplete()) {
                        return;
                    }
                    timer[0] = vertx.setTimer(timeoutMs, id -> answer.tryFail(ANSWER_TIMEOUT));
                    conn.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(settings.host())
                                    .setPort(settings.port()).setURI(path).setHeaders(headers))
                            .compose(req -> req.exceptionHandler(t -> { }).connect())
                            .onComplete(response -> {
                                vertx.cancelTimer(timer[0]);
                                if (response.succeeded()) {
                                    answer.tryComplete(new Answer(response.result()));
                                } else {
                                    answer.tryFail(UNAVAILABLE);
                                }
                            });
                });
        return answer.future();
    }

    /** The least-loaded live connection with a free stream, or a new one while under max-connections. */
    private synchronized Future<HttpClientConnection> connection() {
        HttpClientConnection best = live.stream()
                .filter(c -> c.activeStreams() < c.maxActiveStreams())
                .min(Comparator.comparingLong(HttpClientConnection::activeStreams)).orElse(null);
        boolean roomForMore = live.size() + connecting < settings.maxConnections();
        if (best != null && (best.activeStreams() < SPREAD_ABOVE_STREAMS || !roomForMore)) {
            return Future.succeededFuture(best);
        }
        if (!roomForMore) {
            if (!live.isEmpty()) {
                return Future.succeededFuture(live.stream()
                        .min(Comparator.comparingLong(HttpClientConnection::activeStreams)).orElseThrow());
            }
            Promise<HttpClientConnection> p = Promise.promise();
            waiting.add(p);
            return p.future();
        }
        connecting++;
        return client.connect(new HttpConnectOptions().setHost(settings.host()).setPort(settings.port()))
                .andThen(ar -> connected(ar.succeeded() ? ar.result() : null, ar.cause()));
    }

    private synchronized void connected(HttpClientConnection conn, Throwable failure) {
        connecting--;
        if (conn != null) {
            // Vert.x applies its connection-window option only to pooled connections; this one is explicit.
            // B's SETTINGS say how many streams the connection may carry (see Http2Windows).
            if (!settings.http3()) { // QUIC has its own per-stream and connection limits
                conn.setWindowSize(Http2Windows.connection(conn.maxActiveStreams()));
            }
            live.add(conn);
            conn.closeHandler(v -> drop(conn));
            // After GOAWAY (B shutting down, or its reset-flood defence) B refuses new streams on this
            // connection: take it out of rotation at once, its open streams go on.
            conn.goAwayHandler(ga -> drop(conn));
            conn.exceptionHandler(ConnectionTracker::logQuietly);
        }
        List<Promise<HttpClientConnection>> ready = new ArrayList<>(waiting);
        waiting.clear();
        for (Promise<HttpClientConnection> p : ready) {
            if (conn != null) {
                p.tryComplete(conn);
            } else {
                p.tryFail(failure);
            }
        }
    }

    private synchronized void drop(HttpClientConnection conn) {
        live.remove(conn);
    }

    public synchronized int liveConnections() {
        return live.size();
    }

    public Future<Void> close() {
        return Future.join(client.close(), udpClient.close()).mapEmpty();
    }

    Vertx vertx() {
        return vertx;
    }
}
