package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.DoubleSupplier;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.Test;

/**
 * CONNECT-UDP (RFC 9298) over HTTP/1.1 through A to B: A authenticates the user, locates and signs as for CONNECT,
 * and opens CONNECT-UDP to B; the capsules pass through; B sends the datagrams from the pool of A's signed location.
 */
class ConnectUdpThroughATest {

    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8));

    @Test
    void datagramsGoThroughBothHopsFromTheLocatedPool() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture();
                UdpEchoDestination echo = new UdpEchoDestination()) {
            try (RawProxyClient c = new RawProxyClient(fx.a.port(), true, "127.0.0.10")) { // located in Tokyo
                c.send("GET /.well-known/masque/udp/127.0.0.1/" + echo.port() + "/ HTTP/1.1\r\nHost: a\r\n"
                        + "Connection: Upgrade\r\nUpgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n" + AUTH + "\r\n\r\n");
                RawProxyClient.Head h = c.readHead();
                assertThat(h.status()).as(h.headers().toString()).isEqualTo(101);
                assertThat(h.header("capsule-protocol")).isEqualTo("?1");
                assertThat(h.header("server-timing")).matches("proxy;dur=[0-9.]+, proxy-a;dur=[0-9.]+");
                c.sendBytes(new byte[] {0x00, 0x06, 0x00, 'h', 'e', 'l', 'l', 'o'}); // DATAGRAM, len 6, ctx 0, "hello"
                assertThat(readDatagram(c.input())).isEqualTo("from=127.0.0.2 hello");
            }
            assertThat(DoubleHopFixture.metric(fx.b.adminPort(),
                    "privacy_proxy_requests_total{hop=\"b\",method=\"connect-udp\",protocol=\"h2\"}")).isEqualTo(1.0);
        }
    }

    /**
     * More flows at once than Vert.x's default HTTP/1.1 pool size (5 per host): A carries each on a connection of
     * its own, both proxies count them as open tunnels, and the status label is the 101 that was sent.
     */
    @Test
    void manyConcurrentFlowsAllWorkAndCountAs101() throws Exception {
        int flows = 8;
        try (DoubleHopFixture fx = new DoubleHopFixture();
                UdpEchoDestination echo = new UdpEchoDestination()) {
            List<RawProxyClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < flows; i++) {
                    RawProxyClient c = new RawProxyClient(fx.a.port(), true, "127.0.0.10");
                    clients.add(c);
                    c.socket().setSoTimeout(5_000); // a flow A never answers fails here, not after 15 s
                    c.send(udpRequest("127.0.0.1", echo.port()));
                    RawProxyClient.Head h = c.readHead();
                    assertThat(h.status()).as("flow %d: %s", i, h.headers()).isEqualTo(101);
                }
                for (int i = 0; i < flows; i++) {
                    byte[] payload = ("hello" + i).getBytes(StandardCharsets.ISO_8859_1);
                    byte[] capsule = new byte[3 + payload.length];
                    capsule[1] = (byte) (payload.length + 1); // DATAGRAM, length, context ID 0, payload
                    System.arraycopy(payload, 0, capsule, 3, payload.length);
                    clients.get(i).sendBytes(capsule);
                    assertThat(readDatagram(clients.get(i).input())).isEqualTo("from=127.0.0.2 hello" + i);
                }
                awaitMetric(fx.a.adminPort(), "privacy_proxy_tunnels_active{hop=\"a\"}", flows);
                awaitMetric(fx.b.adminPort(), "privacy_proxy_tunnels_active{hop=\"b\"}", flows);
                assertThat(value(fx.a.adminPort(), "privacy_proxy_requests_by_status_total{hop=\"a\",method=\"connect-udp\","
                        + "pool=\"none\",protocol=\"h1\",status=\"101\"}")).isEqualTo(flows);
                // A carries them to B as extended CONNECT streams on HTTP/2, which B answers with 200
                assertThat(value(fx.b.adminPort(), "privacy_proxy_requests_by_status_total{hop=\"b\",method=\"connect-udp\","
                        + "pool=\"tokyo\",protocol=\"h2\",status=\"200\"}")).isEqualTo(flows);
                assertThat(scrape(fx.a.adminPort()) + scrape(fx.b.adminPort()))
                        .doesNotContain("method=\"connect-udp\",pool=\"none\",protocol=\"h1\",status=\"200\"")
                        .doesNotContain("method=\"connect-udp\",pool=\"tokyo\",protocol=\"h2\",status=\"101\"");
            } finally {
                for (RawProxyClient c : clients) {
                    c.close();
                }
            }
            awaitMetric(fx.a.adminPort(), "privacy_proxy_tunnels_active{hop=\"a\"}", 0);
            awaitMetric(fx.b.adminPort(), "privacy_proxy_tunnels_active{hop=\"b\"}", 0);
        }
    }

    /**
     * A client that gives up while B is still working on its request (here: resolving the target, held by the
     * DNS server) leaves no flow at B, even once B gets to answer: A closed that attempt's connection to B.
     */
    @Test
    void clientLeavingBeforeBAnswersLeavesNoFlowAtB() throws Exception {
        try (HeldDnsServer dns = new HeldDnsServer();
                UdpEchoDestination echo = new UdpEchoDestination();
                DoubleHopFixture fx = new DoubleHopFixture("", "{file: users.txt}",
                        "dns: {servers: [\"127.0.0.1:" + dns.port() + "\"], timeout: 10s}", 0, 0)) {
            RawProxyClient c = new RawProxyClient(fx.a.port(), true, "127.0.0.10");
            c.send(udpRequest("held.test", echo.port()));
            await("B resolving the target", () -> dns.queries() >= 1 ? 1 : 0, 1);
            c.close();
            awaitMetric(fx.a.adminPort(), "privacy_proxy_connections_active{hop=\"a\"}", 0); // A saw the client go
            dns.release();
            // B has now answered (or failed to): whatever it opened must be closed again.
            awaitMetric(fx.b.adminPort(), "privacy_proxy_requests_total{hop=\"b\",method=\"connect-udp\",protocol=\"h2\"}", 1);
            awaitMetric(fx.b.adminPort(), "privacy_proxy_tunnels_active{hop=\"b\"}", 0);
            assertThat(value(fx.a.adminPort(), "privacy_proxy_tunnels_active{hop=\"a\"}")).isZero();
            assertThat(value(fx.a.adminPort(), "privacy_proxy_requests_by_status_total{hop=\"a\",method=\"connect-udp\","
                    + "pool=\"none\",protocol=\"h1\",status=\"499\"}")).isEqualTo(1.0);
            // B too saw a client (A) leave, not an internal error of its own
            assertThat(value(fx.b.adminPort(), "privacy_proxy_requests_by_status_total{hop=\"b\",method=\"connect-udp\","
                    + "pool=\"tokyo\",protocol=\"h2\",status=\"499\"}")).isEqualTo(1.0);
        }
    }

    /** B not answering within A's connect timeout (2 s in the fixture): 504 with A's Proxy-Status, not a hang. */
    @Test
    void bNotAnsweringInTimeIs504() throws Exception {
        try (HeldDnsServer dns = new HeldDnsServer();
                UdpEchoDestination echo = new UdpEchoDestination();
                DoubleHopFixture fx = new DoubleHopFixture("", "{file: users.txt}",
                        "dns: {servers: [\"127.0.0.1:" + dns.port() + "\"], timeout: 10s}", 0, 0)) {
            try (RawProxyClient c = new RawProxyClient(fx.a.port(), true, "127.0.0.10")) {
                c.socket().setSoTimeout(8_000);
                c.send(udpRequest("held.test", echo.port()));
                RawProxyClient.Head h = c.readHead();
                assertThat(h.status()).as(h.headers().toString()).isEqualTo(504);
                assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_response_timeout");
            }
            dns.release();
            awaitMetric(fx.b.adminPort(), "privacy_proxy_requests_total{hop=\"b\",method=\"connect-udp\",protocol=\"h2\"}", 1);
            awaitMetric(fx.b.adminPort(), "privacy_proxy_tunnels_active{hop=\"b\"}", 0);
            assertThat(value(fx.a.adminPort(), "privacy_proxy_requests_by_status_total{hop=\"a\",method=\"connect-udp\","
                    + "pool=\"none\",protocol=\"h1\",status=\"504\"}")).isEqualTo(1.0);
        }
    }

    private static String udpRequest(String host, int port) {
        return "GET /.well-known/masque/udp/" + host + "/" + port + "/ HTTP/1.1\r\nHost: a\r\n"
                + "Connection: Upgrade\r\nUpgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n" + AUTH + "\r\n\r\n";
    }

    private static String scrape(int adminPort) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** One exact series (name and all labels, in Prometheus order); 0 when it was never recorded. */
    private static double value(int adminPort, String series) throws Exception {
        for (String line : scrape(adminPort).split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    private static void awaitMetric(int adminPort, String series, double expected) throws Exception {
        await(series, () -> {
            try {
                return value(adminPort, series);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, expected);
    }

    /** Polls until {@code actual} is {@code expected}, failing with the last value after 10 s. */
    private static void await(String what, DoubleSupplier actual, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        double last = actual.getAsDouble();
        while (last != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            last = actual.getAsDouble();
        }
        assertThat(last).as(what).isEqualTo(expected);
    }

    private static String readDatagram(InputStream in) throws IOException {
        assertThat(in.read()).isZero();                 // type DATAGRAM
        int length = in.read();                         // one-byte varint: short payloads
        byte[] value = in.readNBytes(length);
        assertThat(value[0]).isZero();                  // context ID 0
        return new String(value, 1, value.length - 1, StandardCharsets.ISO_8859_1);
    }
}
