package net.doublehop.proxya.upstream;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import java.util.Set;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.masque.UdpTarget;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.relay.CapsuleDatagramEnd;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.ConnectionTracker;
import net.doublehop.runtime.transport.TlsEngine;

/**
 * CONNECT-UDP to a B whose HTTP/2 SETTINGS do not allow extended CONNECT: {@code GET} on B's template with
 * {@code Upgrade: connect-udp} over HTTP/1.1 (RFC 9298 §3.2), on Vert.x's HTTP/1.1 client, one connection per flow.
 *
 * <p>Not a pooled request: an upgraded HTTP/1.1 connection <em>is</em> the flow and never returns to a pool, so a
 * pool only limited how many flows could exist at once (Vert.x's default, 5 per host, left the 6th waiting forever)
 * without ever saving a handshake. Both steps are bounded by {@code upstream.connect-timeout}: the connection (TCP
 * and TLS) and B's answer, 504 either way. Whenever the attempt ends without an answer passed on (timeout, or
 * {@code abandoned} completing because the client went away) the connection is closed, so B never keeps a flow that
 * nobody will use.
 */
final class Http1UdpUpgrade {

    private final Vertx vertx;
    private final ProxyAConfig.Upstream settings;
    private final HttpClientAgent client;

    Http1UdpUpgrade(Vertx vertx, ProxyAConfig.Upstream settings) {
        this.vertx = vertx;
        this.settings = settings;
        HttpClientOptions o = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setAlpnVersions(List.of(HttpVersion.HTTP_1_1))
                .setSsl(true)
                .setUseAlpn(true)
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setTcpNoDelay(true)
                .setVerifyHost(!settings.insecure())
                // Both ends are ours: TLS 1.3 only on the A→B leg.
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"));
        TlsEngine.apply(o);
        if (settings.insecure()) {
            o.setTrustAll(true);
        }
        settings.trust().ifPresent(t -> o.setTrustOptions(new PemTrustOptions().addCertPath(t.toString())));
        settings.clientCertificate().ifPresent(c -> o.setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(c.toString()).setKeyPath(settings.clientKey().orElseThrow().toString())));
        this.client = vertx.createHttpClient(o);
    }

    /** @param abandoned completes when the client gives up before the answer */
    Future<NextHopAnswer> open(ConnectTarget target, MultiMap headers, Future<?> abandoned) {
        String path = settings.udpTemplate().expandPathAndQuery(new UdpTarget(target.host(), target.port()));
        headers.set("connection", "Upgrade").set("upgrade", "connect-udp").set("capsule-protocol", "?1");
        long timeoutMs = Math.max(1, settings.connectTimeout().toMillis());
        Promise<NextHopAnswer> answer = Promise.promise();
        abandoned.onComplete(v -> answer.tryFail(UpstreamPool.ABANDONED));
        long[] timer = {vertx.setTimer(timeoutMs, id -> answer.tryFail(UpstreamPool.CONNECT_TIMEOUT))};
        client.connect(new HttpConnectOptions().setHost(settings.host()).setPort(settings.port()))
                .onComplete(connected -> {
                    vertx.cancelTimer(timer[0]);
                    if (connected.failed()) {
                        answer.tryFail(UpstreamPool.UNAVAILABLE);
                        return;
                    }
                    HttpClientConnection conn = connected.result();
                    conn.exceptionHandler(ConnectionTracker::logQuietly);
                    // From here on, an attempt that fails (now or later) takes its connection with it.
                    answer.future().onFailure(e -> conn.close());
                    if (answer.future().isComplete()) {
                        return;
                    }
                    timer[0] = vertx.setTimer(timeoutMs, id -> answer.tryFail(UpstreamPool.ANSWER_TIMEOUT));
                    conn.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(settings.host())
                                    .setPort(settings.port()).setURI(path).setHeaders(headers))
                            .compose(req -> req.exceptionHandler(t -> { }).connect())
                            .onComplete(response -> {
                                vertx.cancelTimer(timer[0]);
                                if (response.succeeded()) {
                                    answer.tryComplete(upgraded(response.result()));
                                } else {
                                    answer.tryFail(UpstreamPool.UNAVAILABLE);
                                }
                            });
                });
        return answer.future();
    }

    /** B's answer to the upgrade; the flow is the upgraded connection, capsules on it. */
    private static NextHopAnswer upgraded(HttpClientResponse b) {
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
                // The connection was the flow's own: nothing else will use it.
                b.request().connection().close();
            }
        };
    }

    Future<Void> close() {
        return client.close();
    }
}
