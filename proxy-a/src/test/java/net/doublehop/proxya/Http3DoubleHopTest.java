package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConfig;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CONNECT over HTTP/3 on both hops: a client speaks HTTP/3 to A ({@code http3: true}), A carries the tunnel to
 * B over HTTP/3 ({@code upstream.protocol: h3}), and B egresses from the pool of the location A signed. curl
 * (HTTP/1.1 to A) rides the HTTP/3 A→B leg too.
 */
class Http3DoubleHopTest {

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void http3ToAAndHttp3FromAToB() throws Exception {
        int aPort = freePort();
        int bPort = freePort();
        try (DoubleHopFixture fx = new DoubleHopFixture("  protocol: h3\nhttp3: true\n", "{file: users.txt}",
                "http3: true\n", aPort, bPort)) {
            // HTTP/1.1 client to A; A→B over HTTP/3
            ForwardDoubleHopTest.Result curl = PrivacyAndResilienceTest.curlVia(aPort, "--interface", "127.0.0.10",
                    "-D", "-", "--proxy-user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD,
                    "http://" + fx.destination() + "/");
            assertThat(curl.exit()).as(curl.stderr()).isZero();
            assertThat(curl.stdout()).contains("seen-from=127.0.0.2 ");
            assertThat(DoubleHopFixture.metric(fx.b.adminPort(), "privacy_proxy_requests_total{hop=\"b\",method=\"connect\",protocol=\"h3\"}"))
                    .isPositive();

            // HTTP/3 client to A
            HttpClientAgent h3 = fx.vertx.createHttpClient(new HttpClientConfig().setVersions(HttpVersion.HTTP_3)
                    .setSsl(true).setVerifyHost(false), new ClientSSLOptions().setTrustAll(true));
            String basic = Base64.getEncoder().encodeToString((DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            String[] dest = fx.destination().split(":");
            HttpClientResponse resp = h3.request(new RequestOptions().setMethod(HttpMethod.CONNECT)
                            .setHost("127.0.0.1").setPort(aPort).addHeader("proxy-authorization", "Basic " + basic))
                    .compose(req -> req.exceptionHandler(t -> { })
                            .authority(HostAndPort.create(dest[0], Integer.parseInt(dest[1]))).connect())
                    .await(15, TimeUnit.SECONDS);
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.version()).isEqualTo(HttpVersion.HTTP_3);
            assertThat(resp.getHeader("server-timing")).matches("proxy;dur=[0-9.]+, proxy-a;dur=[0-9.]+");
            NetSocket tunnel = resp.netSocket();
            Buffer got = Buffer.buffer();
            Promise<Void> ended = Promise.promise();
            tunnel.handler(got::appendBuffer);
            tunnel.endHandler(v -> ended.tryComplete());
            tunnel.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            ended.future().await(15, TimeUnit.SECONDS);
            // 127.0.0.1 has no location in the demo table: no hint, B's default pool (London)
            assertThat(got.toString()).contains("seen-from=127.0.0.3 ");
            h3.close().await(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Tunnels one after another share A's QUIC connection to B: a new connection per tunnel costs a QUIC handshake
     * with mTLS each time, and the old ones stayed open until their idle timeout (Netty's count of the streams B
     * still allows read -1 after the first stream, which A took for "none left").
     */
    @Test
    void sequentialTunnelsShareOneQuicConnectionToB() throws Exception {
        int aPort = freePort();
        int bPort = freePort();
        try (DoubleHopFixture fx = new DoubleHopFixture("  protocol: h3\n", "{file: users.txt}", "http3: true\n",
                aPort, bPort)) {
            for (int i = 0; i < 4; i++) {
                ForwardDoubleHopTest.Result curl = PrivacyAndResilienceTest.curlVia(aPort, "--proxy-user",
                        DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "http://" + fx.destination() + "/");
                assertThat(curl.exit()).as(curl.stderr()).isZero();
            }
            assertThat(DoubleHopFixture.metric(fx.b.adminPort(),
                    "privacy_proxy_requests_total{hop=\"b\",method=\"connect\",protocol=\"h3\"}")).isEqualTo(4.0);
            assertThat(DoubleHopFixture.metric(fx.b.adminPort(),
                    "privacy_proxy_connections_total{hop=\"b\",protocol=\"h3\"}")).isEqualTo(1.0);
        }
    }
}
