package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.doublehop.proxya.DoubleHopFixture;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Oblivious mode with QUIC to B ({@code --b-transport quic}): the client's CONNECT-UDP through A names B's QUIC port,
 * and the client runs QUIC and HTTP/3 to B over that flow, sending its CONNECT (SOCKS5 CONNECT) and CONNECT-UDP
 * (UDP ASSOCIATE) for destinations to B there. A runs {@code mode: oblivious} with B's address as its only target,
 * so every tunnel it carried led to B: a CONNECT naming the destination would have been refused. The destination
 * sees B's Tokyo egress (127.0.0.2): A's signed geohash travelled to B inside QUIC. A's log, at DEBUG, names no
 * destination. Over each protocol to A: h1 (an Upgrade, capsules), h2 (capsules), h3 (HTTP/3 datagrams).
 */
class ObliviousQuicTest {

    private static DoubleHopFixture fx;
    private static final List<String> aLog = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLoggerName() != null && r.getLoggerName().startsWith("proxy-a")) {
                aLog.add(r.getLoggerName() + " " + r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()));
            }
        }

        @Override
        public void flush() { }

        @Override
        public void close() { }
    };

    @BeforeAll
    static void start() throws Exception {
        Logger.getLogger("proxy-a").setLevel(Level.FINEST);
        Logger.getLogger("proxy-a").addHandler(CAPTURE);
        fx = new DoubleHopFixture("mode: oblivious\nhttp3: true\ntls: {certificate: b.crt, private-key: b.key}\n",
                "{file: users.txt}", "http3: true\nauth: {preshared-keys: [" + ObliviousClientTest.B_KEY + "]}\n",
                ClientHttpVersionsTest.freePort(), ClientHttpVersionsTest.freePort());
    }

    @AfterAll
    static void stop() throws Exception {
        Logger.getLogger("proxy-a").removeHandler(CAPTURE);
        Logger.getLogger("proxy-a").setLevel(null);
        fx.close();
    }

    static String metrics(int adminPort) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    @ParameterizedTest(name = "QUIC to B, {0} to A")
    @ValueSource(strings = {"h1", "h2", "h3"})
    void tcpAndUdpRideQuicToBInsideConnectUdpThroughA(String version) throws Exception {
        List<String> args = new ArrayList<>(ClientHttpVersionsTest.args(fx, "oblivious", version));
        args.addAll(List.of("--b-transport", "quic"));
        LocalClient client = LocalClient.start(fx.vertx, ClientOptions.parse(args.toArray(String[]::new)))
                .await(30, TimeUnit.SECONDS);
        try {
            for (int i = 0; i < 2; i++) { // both on one QUIC connection to B
                ForwardClientTest.Result r = ForwardClientTest.curl("--socks5-hostname",
                        "127.0.0.1:" + client.socksPort(), "http://" + fx.destination() + "/");
                assertThat(r.exit()).as(r.stderr()).isZero();
                assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
            }
            try (UdpEchoDestination echo = new UdpEchoDestination()) {
                assertThat(ForwardClientTest.udpRoundTrip(client.socksPort(), echo.port())).isEqualTo("from=127.0.0.2 ping");
                assertThat(aLog).noneMatch(l -> l.contains(":" + echo.port()));
            }
            // B's refusal comes back from inside QUIC, with B's Proxy-Status entry and not A's
            ForwardClientTest.Result r = ForwardClientTest.curl("-p", "-x", "http://127.0.0.1:" + client.httpPort(),
                    "-v", "http://127.0.0.9:80/");
            assertThat(r.stderr()).contains("502").containsPattern("(?i)proxy-status: proxy-b; "
                    + "error=destination_ip_prohibited[^\\n]*, doublehop-client").doesNotContainPattern("(?i)proxy-status:[^\\n]*proxy-a");
            String port = fx.destination().split(":")[1];
            assertThat(aLog).noneMatch(l -> l.contains(":" + port) || l.contains(fx.destination()));
            // B served every request over HTTP/3 (QUIC from A's UDP relay), none over HTTP/2 or HTTP/1.1
            String bMetrics = metrics(fx.b.adminPort());
            assertThat(bMetrics).containsPattern("privacy_proxy_requests_total\\{[^}]*method=\"connect\"[^}]*protocol=\"h3\"")
                    .containsPattern("privacy_proxy_requests_total\\{[^}]*method=\"connect-udp\"[^}]*protocol=\"h3\"")
                    .doesNotContainPattern("privacy_proxy_requests_total\\{[^}]*protocol=\"h[12]\"");
        } finally {
            client.stop().await(10, TimeUnit.SECONDS);
        }
    }
}
