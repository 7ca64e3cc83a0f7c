package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxyb.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CONNECT over HTTP/3 (RFC 9114 §4.4) to Proxy B with {@code http3: true}: QUIC on the UDP port of the listen
 * port, advertised by {@code Alt-Svc} on the TCP listener. The client is Vert.x's HTTP/3 client (Netty QUIC).
 */
class Http3ThroughProxyBTest {

    private static ProxyBFixture fx;
    private static int port;
    private static HttpClientAgent h3;

    @BeforeAll
    static void start() throws Exception {
        fx = ProxyBFixture.withHttp3("");
        port = fx.port();
        h3 = fx.vertx.createHttpClient(new HttpClientConfig().setVersions(HttpVersion.HTTP_3).setSsl(true)
                .setVerifyHost(false), new ClientSSLOptions().setTrustAll(true));
    }

    @AfterAll
    static void stop() throws Exception {
        h3.close().await(10, TimeUnit.SECONDS);
        fx.close();
    }

    private static HttpClientResponse connect(String target, String... headers) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.CONNECT).setHost("127.0.0.1").setPort(port);
        for (int i = 0; i < headers.length; i += 2) {
            o.addHeader(headers[i], headers[i + 1]);
        }
        String[] hp = target.split(":");
        return h3.request(o)
                // the test client's own streams end when it closes: not B's errors, so not SEVERE logs
                .compose(req -> req.exceptionHandler(t -> { })
                        .authority(HostAndPort.create(hp[0], Integer.parseInt(hp[1]))).connect())
                .await(15, TimeUnit.SECONDS);
    }

    @Test
    void connectOverHttp3EgressesFromTheGeohashPool() throws Exception {
        HttpClientResponse resp = connect(fx.destHttp(), "proxy-authorization", "Preshared " + ProxyBFixture.PSK,
                "sec-ch-geohash", "xn76c-JP");
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.version()).isEqualTo(HttpVersion.HTTP_3);
        assertThat(resp.getHeader("server-timing")).startsWith("proxy;dur=");
        assertThat(resp.getHeader("alt-svc")).isNull(); // advertised on TCP only
        NetSocket tunnel = resp.netSocket();
        Buffer got = Buffer.buffer();
        io.vertx.core.Promise<Void> ended = io.vertx.core.Promise.promise();
        tunnel.handler(got::appendBuffer);
        tunnel.endHandler(v -> ended.tryComplete());
        tunnel.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        ended.future().await(15, TimeUnit.SECONDS);
        assertThat(got.toString()).contains("seen-from=127.0.0.2 ");
    }

    @Test
    void bytesFlowBothWaysAndTheMetricsSayH3() throws Exception {
        HttpClientResponse resp = connect(fx.destEcho(), "proxy-authorization", "Preshared " + ProxyBFixture.PSK);
        assertThat(resp.statusCode()).isEqualTo(200);
        NetSocket tunnel = resp.netSocket();
        byte[] payload = new byte[256 * 1024];
        new java.util.Random(7).nextBytes(payload);
        Buffer got = Buffer.buffer();
        io.vertx.core.Promise<Void> all = io.vertx.core.Promise.promise();
        tunnel.handler(b -> {
            got.appendBuffer(b);
            if (got.length() >= payload.length) {
                all.tryComplete();
            }
        });
        tunnel.write(Buffer.buffer(payload));
        all.future().await(15, TimeUnit.SECONDS);
        assertThat(got.getBytes()).isEqualTo(payload);
        tunnel.close();
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fx.proxy.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("protocol=\"h3\"");
    }

    /**
     * Data and FIN sent right behind the request, before B answered: B holds both until the tunnel is up, then the
     * destination gets all of it and its end of stream (it reads to EOF, then answers with the byte count).
     */
    @Test
    void dataAndFinSentBeforeTheAnswerBothReachTheDestination() throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", port, true)) {
            Http3MasqueClient.Flow f = c.connectSendingAtOnce("127.0.0.1:" + fx.destination.halfClosePort(),
                    new byte[5000], "proxy-authorization", "Preshared " + ProxyBFixture.PSK);
            assertThat(f.status()).isEqualTo(200);
            assertThat(f.awaitText("received=", 10_000)).contains("received=5000");
            assertThat(f.awaitEnd(10_000)).isTrue();
        }
    }

    @Test
    void refusalsOverHttp3CarryProxyStatus() throws Exception {
        HttpClientResponse none = connect(fx.destEcho());
        assertThat(none.statusCode()).isEqualTo(407);
        assertThat(none.getHeader("proxy-status")).startsWith("proxy-b; error=http_request_denied");
        HttpClientResponse refused = connect("10.1.2.3:443", "proxy-authorization", "Preshared " + ProxyBFixture.PSK);
        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(refused.getHeader("proxy-status")).contains("error=destination_ip_prohibited");
    }

    @Test
    void theTcpListenerAdvertisesHttp3() throws Exception {
        Process p = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "-D", "-", "-p", "-x",
                "https://127.0.0.1:" + port, "--proxy-insecure", "--proxy-header",
                "Proxy-Authorization: Preshared " + ProxyBFixture.PSK, "http://" + fx.destHttp() + "/").start();
        String head = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(head.toLowerCase()).contains("alt-svc: h3=\":" + port + "\"; ma=86400");
    }

    @Test
    void http3NeedsTlsAndAFixedPort() {
        Path dir = fx.dir;
        assertThatThrownBy(() -> ConfigLoader.parse(ProxyBFixture.BASE_YAML + "http3: true\n", dir))
                .hasMessageContaining("http3: needs a fixed listen port");
        assertThatThrownBy(() -> ConfigLoader.parse(ProxyBFixture.BASE_YAML.replace("listen: 127.0.0.1:0",
                "listen: 127.0.0.1:8443\ntls: none") + "http3: true\n", dir))
                .hasMessageContaining("HTTP/3 is always TLS");
    }
}
