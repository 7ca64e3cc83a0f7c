package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.proxyb.it.StallingDestinations;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bad input of Proxy B's BadInputTest, sent to Proxy A in front of B, gets the same clear answer: the
 * same status, with {@code Proxy-Status} naming the hop that refused (A itself, or B's entry passed through
 * with A's {@code received-status}), and A keeps serving afterwards.
 */
class BadInputThroughATest {

    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";

    private static DoubleHopFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture("limits: {max-header-size: 4096, tunnels-per-second-per-user: 1000}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static RawProxyClient.Head exchange(String raw) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.a.port(), true)) {
            c.send(raw);
            return c.readHead();
        }
    }

    private static void assertStillServes() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.a.port(), true)) {
            c.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
            c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "CONNECT {0} -> 400 at A")
    @ValueSource(strings = {
        "example.com", "example.com:", "example.com:0", "example.com:65536", "example.com:99999999999",
        "user@example.com:443", "user:pw@127.0.0.1:80", "[fe80::1%25eth0]:443", "2001:db8::1:443", ":443",
        "example.com:+443",
    })
    void malformedTargetsAre400(String target) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + target + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(400);
        assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_request_error");
        assertThat(h.header("server-timing")).startsWith("proxy-a;dur=");
        assertStillServes();
    }

    @Test
    void spaceInTargetIs400() throws Exception {
        RawProxyClient.Head h = exchange("CONNECT exa mple.com:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(400);
        assertThat(h.header("proxy-status")).contains("error=http_request_error");
        assertStillServes();
    }

    @ParameterizedTest(name = "{0} -> 405 at A")
    @ValueSource(strings = {"GET", "POST", "PUT", "DELETE", "OPTIONS"})
    void nonConnectMethodsAre405(String method) throws Exception {
        RawProxyClient.Head h = exchange(method + " http://" + fx.destination() + "/ HTTP/1.1\r\nHost: "
                + fx.destination() + "\r\n" + AUTH + "Content-Length: 0\r\n\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(405);
        assertThat(h.header("allow")).isEqualTo("CONNECT");
        assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_request_error");
        assertStillServes();
    }

    /** A user's own sec-ch-geohash asks A for less precision; garbage is refused, never silently replaced. */
    @ParameterizedTest(name = "sec-ch-geohash: {0} -> 400 at A")
    @ValueSource(strings = {
        "xn76c", "xn76c-XX", "xn76c-jp", "XN76C-JP", "xn7ai-JP", "xn76cxn76cxn7-JP", "-JP", "xn76c-JP-GB",
    })
    void malformedGeohashIs400(String value) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "sec-ch-geohash: " + value + "\r\n\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(400);
        assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_request_error")
                .contains("sec-ch-geohash");
        assertStillServes();
    }

    @Test
    void repeatedGeohashIs400() throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "sec-ch-geohash: xn7-JP\r\nsec-ch-geohash: gcp-GB\r\n\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(400);
        assertThat(h.header("proxy-status")).contains("sec-ch-geohash repeated");
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "X-Big: " + "x".repeat(8000) + "\r\n\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(431);
        assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_request_error");
        assertStillServes();
    }

    /** B refuses these after resolving; A passes B's entry through and adds its own. */
    @ParameterizedTest(name = "CONNECT {0} -> 502 destination_ip_prohibited from B")
    @ValueSource(strings = {"10.1.2.3:443", "169.254.169.254:80", "192.168.0.1:22", "[::1]:443", "127.0.0.5:80"})
    void refusedRangesAre502FromB(String target) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + target + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(502);
        assertThat(h.header("proxy-status")).startsWith("proxy-b; error=destination_ip_prohibited")
                .endsWith(", proxy-a; received-status=502");
        assertThat(h.header("server-timing")).matches("proxy;dur=[0-9.]+, proxy-a;dur=[0-9.]+");
        assertStillServes();
    }

    @Test
    void closedPortIs502ConnectionRefusedFromB() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        RawProxyClient.Head h = exchange("CONNECT 127.0.0.1:" + closed + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(502);
        assertThat(h.header("proxy-status")).startsWith("proxy-b; error=connection_refused")
                .endsWith("proxy-a; received-status=502");
        assertStillServes();
    }

    /** B's connect timeout (1 s in the fixture) answers 504 well before A's own patience runs out. */
    @Test
    void slowDestinationIs504FromB() throws Exception {
        try (StallingDestinations.FullAcceptQueue slow = new StallingDestinations.FullAcceptQueue()) {
            RawProxyClient.Head h = exchange("CONNECT 127.0.0.1:" + slow.port() + " HTTP/1.1\r\nHost: x\r\n"
                    + AUTH + "\r\n");
            assertThat(h.status()).as(h.headers().toString()).isEqualTo(504);
            assertThat(h.header("proxy-status")).startsWith("proxy-b; error=connection_timeout")
                    .endsWith("proxy-a; received-status=504");
        }
        assertStillServes();
    }

    /**
     * A client of A that never reads: backpressure must hold on both hops (A's client leg, the A→B stream's
     * HTTP/2 flow control, B's destination leg), so the destination can push only what the buffers hold.
     */
    @Test
    void clientThatNeverReadsHoldsBoundedMemory() throws Exception {
        try (StallingDestinations.Firehose firehose = new StallingDestinations.Firehose(fx.vertx);
                RawProxyClient c = new RawProxyClient(fx.a.port(), true)) {
            c.socket().setReceiveBufferSize(64 * 1024);
            c.send("CONNECT 127.0.0.1:" + firehose.port() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
            firehose.assertBackpressureHolds();
            // The stalled tunnel holds only its own stream's window: other tunnels on the same A→B
            // connection (other users' among them) go on.
            assertStillServes();
        }
        // The client left: A resets its stream to B, so B's tunnel ends too instead of waiting to drain.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (DoubleHopFixture.metric(fx.b.adminPort(), "privacy_proxy_tunnels_active") > 0
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(DoubleHopFixture.metric(fx.b.adminPort(), "privacy_proxy_tunnels_active")).isZero();
        assertStillServes();
    }

    /**
     * 300 users who open a tunnel and leave at once make A reset 300 streams on the shared A→B connection. B's
     * Rapid Reset defence must not take that for an attack (Vert.x's default sends GOAWAY after 200 resets in 30 s,
     * which would cut every other user's tunnel): the connection survives and serves on.
     */
    @Test
    void manyAbandonedTunnelsDoNotCostTheSharedConnection() throws Exception {
        // A destination that holds every connection open (it never closes, even after EOF), so each tunnel is
        // still open at B when its user leaves and A must reset the stream.
        List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ServerSocket holder = new ServerSocket(0, 400, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                while (!holder.isClosed()) {
                    try {
                        held.add(holder.accept());
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            assertStillServes(); // the A→B connection exists
            double connectionsBefore = DoubleHopFixture.metric(fx.b.adminPort(), "privacy_proxy_connections_total");
            for (int i = 0; i < 300; i++) {
                try (RawProxyClient c = new RawProxyClient(fx.a.port(), true)) {
                    c.send("CONNECT 127.0.0.1:" + holder.getLocalPort() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
                    assertThat(c.readHead().status()).isEqualTo(200);
                } // and gone: A resets its stream to B
            }
            assertStillServes();
            // still the same A→B connection: B did not send GOAWAY and A did not have to open another
            assertThat(DoubleHopFixture.metric(fx.b.adminPort(), "privacy_proxy_connections_total"))
                    .isEqualTo(connectionsBefore);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @ParameterizedTest(name = "credential [{0}] -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "none|407",
        "Proxy-Authorization: Basic|400",                                       // malformed, as at B
        "Proxy-Authorization: Basic !!!not-base64|400",
        "Proxy-Authorization: Basic " + "YWxpY2U=" + "|400",                     // "alice", no colon
        "Proxy-Authorization: Basic " + "YWxpY2U6d3Jvbmc=" + "|403",             // alice:wrong
        "Proxy-Authorization: Basic " + "bWFsbG9yeTp3b25kZXJsYW5k" + "|403",     // mallory:wonderland
        "Proxy-Authorization: Preshared not-a-key-of-ours|403",
        "Proxy-Authorization: Bearer abc|403",                                  // a scheme we do not take
    })
    void credentials(String header, int status) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n"
                + (header == null ? "" : header + "\r\n") + "\r\n");
        assertThat(h.status()).as(h.headers().toString()).isEqualTo(status);
        assertThat(h.header("proxy-status")).startsWith(status == 400 ? "proxy-a; error=http_request_error"
                : "proxy-a; error=http_request_denied");
        if (status == 407) {
            assertThat(h.header("proxy-authenticate")).startsWith("Basic realm=");
        }
        assertStillServes();
    }
}
