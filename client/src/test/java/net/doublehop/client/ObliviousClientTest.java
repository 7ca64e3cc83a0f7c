package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;

/**
 * Oblivious mode end to end: curl → the local client → (TLS to B inside a CONNECT through A) → B → destination.
 * A runs {@code mode: both} with B's address as its oblivious target and its certificate from the test CA, so the
 * client verifies both proxies. The client reaches A from 127.0.0.10 (Tokyo in A's demo table): B egresses from its
 * Tokyo pool (127.0.0.2) only if A's signed geohash travelled through the client to B.
 */
class ObliviousClientTest {

    static final String B_KEY = "oblivious-test-key";
    private static DoubleHopFixture fx;
    private static LocalClient client;
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
        Logger.getLogger("proxy-a").setLevel(Level.FINEST); // A at DEBUG: even then, no destination
        Logger.getLogger("proxy-a").addHandler(CAPTURE);
        fx = new DoubleHopFixture("mode: both\ntls: {certificate: b.crt, private-key: b.key}\n", "{file: users.txt}",
                "auth: {preshared-keys: [" + B_KEY + "]}\n", 0, 0);
        client = LocalClient.start(fx.vertx, ClientOptions.parse(new String[] {
            "--mode", "oblivious", "--proxy-a", "https://127.0.0.1:" + fx.a.port(),
            "--proxy-b", "https://127.0.0.1:" + fx.bPort, "--cacert", fx.dir.resolve("ca.crt").toString(),
            "--user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "--b-psk", B_KEY,
            "--source-address", "127.0.0.10", "--socks", "127.0.0.1:0", "--http", "127.0.0.1:0"}))
                .await(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        Logger.getLogger("proxy-a").removeHandler(CAPTURE);
        Logger.getLogger("proxy-a").setLevel(null);
        if (client != null) {
            client.stop().await(10, TimeUnit.SECONDS);
        }
        fx.close();
    }

    @Test
    void curlThroughSocks5ReachesTheDestinationFromBsPoolForTheSignedLocation() throws Exception {
        for (int i = 0; i < 3; i++) { // one TLS connection to B through A carries them all
            ForwardClientTest.Result r = ForwardClientTest.curl("--socks5-hostname", "127.0.0.1:" + client.socksPort(),
                    "http://" + fx.destination() + "/");
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
        }
        // A carried one tunnel, to B; it never saw the destination, in its logs or its metrics
        String port = String.valueOf(fx.destination().split(":")[1]);
        assertThat(aLog).noneMatch(l -> l.contains(":" + port) || l.contains(fx.destination()));
        String metrics = new String(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + fx.a.adminPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body());
        assertThat(metrics).doesNotContain(fx.destination()).doesNotContain(":" + port);
    }

    /** UDP ASSOCIATE in oblivious mode: CONNECT-UDP to B (extended CONNECT, capsules) on the inner connection. */
    @Test
    void udpRidesConnectUdpInsideTheConnectionToB() throws Exception {
        try (UdpEchoDestination echo = new UdpEchoDestination()) {
            assertThat(ForwardClientTest.udpRoundTrip(client.socksPort(), echo.port())).isEqualTo("from=127.0.0.2 ping");
        }
    }

    @Test
    void curlThroughTheHttpConnectSide() throws Exception {
        ForwardClientTest.Result r = ForwardClientTest.curl("-p", "-x", "http://127.0.0.1:" + client.httpPort(),
                "http://" + fx.destination() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
    }

    @Test
    void bsRefusalsComeBackThroughTheInnerConnection() throws Exception {
        ForwardClientTest.Result r = ForwardClientTest.curl("-p", "-x", "http://127.0.0.1:" + client.httpPort(), "-v",
                "http://127.0.0.9:80/");
        assertThat(r.exit()).isNotZero();
        // B's entry, then ours: A is not on the path of this request at all
        assertThat(r.stderr()).contains("502").containsPattern("(?i)proxy-status: proxy-b; error=destination_ip_prohibited"
                + "[^\\n]*, doublehop-client").doesNotContainPattern("(?i)proxy-status:[^\\n]*proxy-a");
    }
}
