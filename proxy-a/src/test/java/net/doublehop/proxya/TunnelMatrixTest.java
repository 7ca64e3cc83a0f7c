package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.doublehop.proxyb.it.Http3MasqueClient;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tunnel matrix through both hops: the client's HTTP version to A × A's protocol to B × CONNECT and
 * CONNECT-UDP. Every case goes through real proxies to a real destination that reports the source address it
 * saw, which must be the egress address of the pool of A's signed location (the client speaks from 127.0.0.10,
 * Tokyo: pool 127.0.0.2), and B's metrics must show the request arrived over the A→B protocol asked for.
 */
class TunnelMatrixTest {

    /** h1: raw sockets; h2: Node's http2 (an independent peer); h3: a Netty HTTP/3 client. */
    enum Client { H1, H2, H3 }

    enum Upstream { H2, H3 }

    enum Method { CONNECT, CONNECT_UDP }

    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final String USER_ADDRESS = "127.0.0.10";
    private static final String TOKYO_EGRESS = "127.0.0.2";

    private static final Map<Upstream, DoubleHopFixture> fixtures = new EnumMap<>(Upstream.class);
    private static UdpEchoDestination echo;

    @BeforeAll
    static void start() throws Exception {
        echo = new UdpEchoDestination();
        for (Upstream u : Upstream.values()) {
            fixtures.put(u, new DoubleHopFixture("  protocol: " + u.name().toLowerCase() + "\nhttp3: true\n",
                    "{file: users.txt}", "http3: true\n", freePort(), freePort()));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (DoubleHopFixture fx : fixtures.values()) {
            try {
                fx.close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        echo.close();
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Client c : Client.values()) {
            for (Upstream u : Upstream.values()) {
                for (Method m : Method.values()) {
                    all.add(Arguments.of(c, u, m));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} to A, {1} to B, {2}")
    @MethodSource("cases")
    void tunnelEgressesFromTheLocatedPoolOverTheChosenProtocol(Client client, Upstream upstream, Method method)
            throws Exception {
        DoubleHopFixture fx = fixtures.get(upstream);
        String bMetric = "privacy_proxy_requests_total{hop=\"b\",method=\""
                + (method == Method.CONNECT ? "connect" : "connect-udp") + "\",protocol=\""
                + expectedAtB(upstream, method) + "\"}";
        double before = count(fx.b.adminPort(), bMetric);

        String seen = switch (client) {
            case H1 -> method == Method.CONNECT ? connectH1(fx) : udpH1(fx);
            case H2 -> method == Method.CONNECT ? connectH2(fx) : udpH2(fx);
            case H3 -> method == Method.CONNECT ? connectH3(fx) : udpH3(fx);
        };

        String expected = method == Method.CONNECT ? "seen-from=" + TOKYO_EGRESS + " " : "from=" + TOKYO_EGRESS + " ";
        assertThat(seen).contains(expected);
        assertThat(count(fx.b.adminPort(), bMetric)).as(bMetric).isEqualTo(before + 1);
    }

    /** The protocol B sees: A's upstream protocol, for CONNECT-UDP (extended CONNECT) as for CONNECT. */
    private static String expectedAtB(Upstream upstream, Method method) {
        return upstream == Upstream.H3 ? "h3" : "h2";
    }

    private static String connectH1(DoubleHopFixture fx) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.a.port(), true, USER_ADDRESS)) {
            c.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: " + fx.destination()
                    + "\r\nProxy-Authorization: " + BASIC + "\r\n\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
            c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return c.readToEnd();
        }
    }

    private static String connectH2(DoubleHopFixture fx) throws Exception {
        com.fasterxml.jackson.databind.JsonNode r =
                PrivacyAndResilienceTest.node(fx.a.port(), fx.destination(), 1, USER_ADDRESS).get(0);
        assertThat(r.get("status").asInt()).as(r.toString()).isEqualTo(200);
        return r.get("body").asText();
    }

    /** scripts/connect-udp.mjs, the README's client, over HTTP/2 (extended CONNECT, capsules). */
    private static String udpH2(DoubleHopFixture fx) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", java.nio.file.Path.of("../scripts/connect-udp.mjs")
                .toAbsolutePath().normalize().toString(), "127.0.0.1:" + fx.a.port(), "127.0.0.1:" + echo.port(),
                "h2", "Proxy-Authorization: " + BASIC).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("PROXY_HTTP", "2");
        pb.environment().put("PROXY_INSECURE", "1");
        pb.environment().put("LOCAL_ADDRESS", USER_ADDRESS);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String connectH3(DoubleHopFixture fx) throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", fx.a.port(), true, USER_ADDRESS)) {
            Http3MasqueClient.Flow f = c.connect(fx.destination(), "proxy-authorization", BASIC);
            assertThat(f.status()).isEqualTo(200);
            f.sendOnStream("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            return f.awaitText("seen-from=", 10_000);
        }
    }

    private static String udpH1(DoubleHopFixture fx) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.a.port(), true, USER_ADDRESS)) {
            c.send("GET " + udpPath() + " HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\n"
                    + "Capsule-Protocol: ?1\r\nProxy-Authorization: " + BASIC + "\r\n\r\n");
            assertThat(c.readHead().status()).isEqualTo(101);
            c.sendBytes(new byte[] {0x00, 0x03, 0x00, 'h', '1'}); // DATAGRAM capsule, length 3, context 0, "h1"
            int type = c.input().read();
            int length = c.input().read();
            byte[] value = c.input().readNBytes(length);
            assertThat(type).isZero();
            assertThat(value[0]).isZero();
            return new String(value, 1, value.length - 1, StandardCharsets.ISO_8859_1);
        }
    }

    private static String udpH3(DoubleHopFixture fx) throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", fx.a.port(), true, USER_ADDRESS)) {
            Http3MasqueClient.Flow f = c.connectUdp("127.0.0.1:" + fx.a.port(), udpPath(),
                    "proxy-authorization", BASIC);
            assertThat(f.status()).isEqualTo(200);
            f.sendDatagram("h3".getBytes(StandardCharsets.ISO_8859_1));
            byte[] got = f.nextDatagram(10_000);
            assertThat(got).as("an echo as an HTTP/3 datagram").isNotNull();
            return new String(got, StandardCharsets.ISO_8859_1);
        }
    }

    private static String udpPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/";
    }

    private static double count(int adminPort, String name) throws Exception {
        try {
            return DoubleHopFixture.metric(adminPort, name);
        } catch (AssertionError absent) {
            return 0;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
