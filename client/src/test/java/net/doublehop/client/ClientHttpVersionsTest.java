package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.DoubleHopFixture;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The client's three protocols to Proxy A ({@code --http-version h1 | h2 | h3}) in both modes, with a real A
 * ({@code mode: both}, HTTP/3 on) and B: a TCP tunnel (curl through SOCKS5) and a UDP flow (UDP ASSOCIATE) each.
 * The client reaches A from 127.0.0.10, which A locates in Tokyo: B egresses from its Tokyo pool (127.0.0.2) only
 * if A's signed geohash reached B, through A's own request (forward) or through the client (oblivious).
 */
class ClientHttpVersionsTest {

    private static DoubleHopFixture fx;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture("mode: both\nhttp3: true\ntls: {certificate: b.crt, private-key: b.key}\n",
                "{file: users.txt}", "http3: true\nauth: {preshared-keys: [" + ObliviousClientTest.B_KEY + "]}\n",
                freePort(), freePort());
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** The client's arguments for {@code mode} over {@code version} to A, reaching A from Tokyo. */
    static List<String> args(DoubleHopFixture fx, String mode, String version) {
        List<String> a = new ArrayList<>(List.of("--mode", mode, "--http-version", version,
                "--proxy-a", "https://127.0.0.1:" + fx.a.port(), "--cacert", fx.dir.resolve("ca.crt").toString(),
                "--user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "--source-address", "127.0.0.10",
                "--socks", "127.0.0.1:0", "--http", "127.0.0.1:0"));
        if (mode.equals("oblivious")) {
            a.addAll(List.of("--proxy-b", "https://127.0.0.1:" + fx.bPort, "--b-psk", ObliviousClientTest.B_KEY));
        }
        return a;
    }

    @ParameterizedTest(name = "{0} mode, {1} to A")
    @CsvSource({"forward, h1", "forward, h2", "forward, h3", "oblivious, h1", "oblivious, h2", "oblivious, h3"})
    void tcpAndUdpThroughEachProtocolToA(String mode, String version) throws Exception {
        LocalClient client = LocalClient.start(fx.vertx, ClientOptions.parse(args(fx, mode, version).toArray(String[]::new)))
                .await(30, TimeUnit.SECONDS);
        try {
            for (int i = 0; i < 2; i++) { // h1: a connection each; h2, h3: streams on one connection
                ForwardClientTest.Result r = ForwardClientTest.curl("--socks5-hostname",
                        "127.0.0.1:" + client.socksPort(), "http://" + fx.destination() + "/");
                assertThat(r.exit()).as(r.stderr()).isZero();
                assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
            }
            ForwardClientTest.Result r = ForwardClientTest.curl("-p", "-x", "http://127.0.0.1:" + client.httpPort(),
                    "http://" + fx.destination() + "/");
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
            try (UdpEchoDestination echo = new UdpEchoDestination()) {
                assertThat(ForwardClientTest.udpRoundTrip(client.socksPort(), echo.port())).isEqualTo("from=127.0.0.2 ping");
            }
        } finally {
            client.stop().await(10, TimeUnit.SECONDS);
        }
    }

    /** A refusal comes back through each protocol with its status and Proxy-Status entries. */
    @ParameterizedTest(name = "{0} mode, {1} to A")
    @CsvSource({"forward, h1", "oblivious, h1", "forward, h3", "oblivious, h3"})
    void refusalsComeBackThroughEachProtocol(String mode, String version) throws Exception {
        LocalClient client = LocalClient.start(fx.vertx, ClientOptions.parse(args(fx, mode, version).toArray(String[]::new)))
                .await(30, TimeUnit.SECONDS);
        try {
            ForwardClientTest.Result r = ForwardClientTest.curl("-p", "-x", "http://127.0.0.1:" + client.httpPort(),
                    "-v", "http://127.0.0.9:80/");
            assertThat(r.exit()).isNotZero();
            assertThat(r.stderr()).contains("502").containsPattern(
                    "(?i)proxy-status: proxy-b; error=destination_ip_prohibited[^\\n]*, doublehop-client");
        } finally {
            client.stop().await(10, TimeUnit.SECONDS);
        }
    }
}
