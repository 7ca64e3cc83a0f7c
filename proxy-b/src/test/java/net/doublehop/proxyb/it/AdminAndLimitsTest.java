package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

/** The admin endpoints, metric names and privacy of labels, tunnel limits, idle timeout, graceful stop. */
class AdminAndLimitsTest {

    private static final String AUTH = "Proxy-Authorization: Preshared " + ProxyBFixture.PSK + "\r\n";
    private final HttpClient http = HttpClient.newHttpClient();

    private String admin(ProxyBFixture fx, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fx.proxy.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + "\n" + r.body();
    }

    private static RawProxyClient openTunnel(ProxyBFixture fx, String geohash) throws Exception {
        RawProxyClient c = new RawProxyClient(fx.port(), true);
        c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n" + AUTH
                + (geohash == null ? "" : "sec-ch-geohash: " + geohash + "\r\n") + "\r\n");
        return c;
    }

    @Test
    void adminEndpointsAndPrivateMetrics() throws Exception {
        try (ProxyBFixture fx = new ProxyBFixture("")) {
            assertThat(admin(fx, "/health/live")).startsWith("200");
            assertThat(admin(fx, "/health/ready")).startsWith("200");
            assertThat(admin(fx, "/geofeed.csv")).contains("127.0.0.2/32,JP,,,").contains("127.0.0.3/32,GB,GB-LND,London,")
                    .contains("::1/128,GB,GB-LND,London,");
            try (RawProxyClient c = openTunnel(fx, "xn76c-JP")) {
                assertThat(c.readHead().status()).isEqualTo(200);
                c.send("abc");
                assertThat(new String(c.readBytes(3))).isEqualTo("abc");
            }
            try (RawProxyClient c = openTunnel(fx, "bogus")) {
                assertThat(c.readHead().status()).isEqualTo(400);
            }
            Thread.sleep(300); // the tunnel's close is accounted on the event loop
            String metrics = admin(fx, "/metrics");
            assertThat(metrics).contains("privacy_proxy_requests_total{", "privacy_proxy_requests_by_status_total{",
                    "status=\"200\"", "status=\"400\"", "pool=\"tokyo\"", "privacy_proxy_connections_total{",
                    "privacy_proxy_connections_active{", "privacy_proxy_bytes_sent_total{",
                    "privacy_proxy_bytes_received_total{", "privacy_proxy_connect_latency_seconds",
                    "privacy_proxy_first_byte_latency_seconds", "privacy_proxy_connections_duration_seconds");
            // No address, destination or key ever becomes a label value.
            assertThat(metrics).doesNotContain("127.0.0.").doesNotContain(ProxyBFixture.PSK)
                    .doesNotContain(Integer.toString(fx.destination.echoPort()));
        }
    }

    @Test
    void tunnelLimitAnswers503AndFreesSlots() throws Exception {
        try (ProxyBFixture fx = new ProxyBFixture("limits: {max-tunnels: 2}\n")) {
            RawProxyClient a = openTunnel(fx, null);
            RawProxyClient b = openTunnel(fx, null);
            assertThat(a.readHead().status()).isEqualTo(200);
            assertThat(b.readHead().status()).isEqualTo(200);
            try (RawProxyClient c = openTunnel(fx, null)) {
                RawProxyClient.Head h = c.readHead();
                assertThat(h.status()).isEqualTo(503);
                assertThat(h.header("proxy-status")).contains("error=connection_limit_reached");
                assertThat(h.header("retry-after")).as("RFC 9110 §10.2.3: when to try again").isEqualTo("1");
            }
            a.close();
            Thread.sleep(500);
            try (RawProxyClient d = openTunnel(fx, null)) {
                assertThat(d.readHead().status()).isEqualTo(200);
            }
            b.close();
        }
    }

    @Test
    void idleTunnelsAreClosed() throws Exception {
        try (ProxyBFixture fx = new ProxyBFixture("limits: {idle-timeout: 1s}\n");
                RawProxyClient c = openTunnel(fx, null)) {
            assertThat(c.readHead().status()).isEqualTo(200);
            c.socket().setSoTimeout(10_000);
            long start = System.nanoTime();
            assertThat(c.input().read()).isEqualTo(-1); // closed by the proxy, not by our read timeout
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(800));
        }
    }

    @Test
    void gracefulStopDrainsOpenTunnelsAndRefusesNewOnes() throws Exception {
        ProxyBFixture fx = new ProxyBFixture("");
        try (RawProxyClient c = openTunnel(fx, null)) {
            assertThat(c.readHead().status()).isEqualTo(200);
            Future<Void> stopping = fx.proxy.stop(Duration.ofSeconds(2));
            Thread.sleep(200);
            assertThat(admin(fx, "/health/ready")).startsWith("503");
            c.send("still here");
            assertThat(new String(c.readBytes(10))).isEqualTo("still here");
            assertThatThrownBy(() -> new RawProxyClient(fx.port(), true)).isInstanceOf(IOException.class);
            stopping.await(10, TimeUnit.SECONDS);
            assertThat(c.input().read()).isEqualTo(-1);
        } finally {
            fx.close();
        }
    }
}
