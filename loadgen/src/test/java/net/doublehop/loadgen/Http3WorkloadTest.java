package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.pki.DevPki;
import net.doublehop.proxyb.ProxyB;
import net.doublehop.proxyb.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --proxy-version h3 through a real Proxy B with {@code http3: true} (Netty's QUIC + HTTP/3 listener on the UDP port
 * of its listen port), started in this JVM: CONNECT (bulk, rps, setup, idle) and CONNECT-UDP (HTTP/3 datagrams, and
 * DATAGRAM capsules with --h3-datagrams false) to the in-process {@code serve}. B's certificate is issued by a test
 * CA for 127.0.0.1, so --proxy-cacert verifies it by name; B also takes the test CA's client certificates (mTLS).
 * Short runs; counts, never timings.
 */
class Http3WorkloadTest {

    static final String PSK = "h3-test-key-0123456789";

    @TempDir
    static Path dir;

    static SourceServer serve;
    static Vertx vertx;
    static ProxyB proxyB;
    static int port;
    static Path ca;
    static DevPki.PemFiles clientCert;

    @BeforeAll
    static void start() throws Exception {
        serve = SourceServer.start("127.0.0.1", 0, 1);
        DevPki pki = DevPki.create("loadgen h3 test CA");
        DevPki.PemFiles server = pki.server("localhost", List.of("localhost"), List.of("127.0.0.1")).writeTo(dir, "b");
        clientCert = pki.client("loadgen h3 test client").writeTo(dir, "client");
        ca = dir.resolve("ca.crt");
        Files.writeString(ca, pki.ca().certificatePem());
        port = freeTcpAndUdpPort();
        vertx = Vertx.vertx();
        String yaml = """
                listen: 127.0.0.1:%d
                admin: 127.0.0.1:0
                http3: true
                tls:
                  certificate: %s
                  private-key: %s
                  client-ca: %s
                auth:
                  preshared-keys: [%s]
                egress:
                  pools:
                    - {name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}
                  default-pool: tokyo
                destinations:
                  allow: [127.0.0.1/32]
                """.formatted(port, server.certificate(), server.privateKey(), ca, PSK);
        proxyB = ProxyB.start(vertx, ConfigLoader.parse(yaml, Files.createDirectories(dir.resolve("proxy-b"))), 1)
                .await(30, TimeUnit.SECONDS);
    }

    /** A port free on TCP and UDP alike (B's HTTP/3 listener takes the UDP port of its TCP listen port). */
    static int freeTcpAndUdpPort() throws Exception {
        for (int i = 0; i < 50; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                try (DatagramSocket d = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
                    return p;
                } catch (java.net.SocketException busy) {
                    // taken on UDP: try another
                }
            }
        }
        throw new IllegalStateException("no port free on both TCP and UDP");
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxyB != null) {
            proxyB.stop(Duration.ofSeconds(1)).await(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (serve != null) {
            serve.close();
        }
    }

    private static String[] viaB(String key, int targetPort, String... more) {
        String[] base = {"--proxy", "https://127.0.0.1:" + port, "--proxy-version", "h3", "--proxy-cacert",
            ca.toString(), "--proxy-header", "Proxy-Authorization: Preshared " + key,
            "--proxy-header", "sec-ch-geohash: xn76c-JP", "--target", "127.0.0.1:" + targetPort};
        String[] r = new String[base.length + more.length];
        System.arraycopy(base, 0, r, 0, base.length);
        System.arraycopy(more, 0, r, base.length, more.length);
        return r;
    }

    @Test
    void bulkOverH3MovesTheBytes() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.port(), "--workload", "bulk", "--tunnels", "2",
                "--bytes", "1M", "--count", "4", "--duration", "20s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("via h3 https://");
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("bytesReceived")).isEqualTo(4L << 20);
        assertThat(t.getLong("downloadsCompleted")).isEqualTo(4);
        assertThat(t.getLong("errors")).isZero();
        assertThat(r.json().getJsonObject("options").getString("proxyVersion")).isEqualTo("h3");
        assertThat(r.json().getJsonObject("options").getInteger("h3Connections")).isEqualTo(1);
        assertThat(r.json().getJsonObject("latency").getJsonObject("connectAnswer").getLong("count")).isEqualTo(4);
    }

    @Test
    void rpsOverTwoQuicConnections() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.port(), "--workload", "rps", "--tunnels", "4",
                "--h3-connections", "2", "--request-size", "100", "--response-size", "1k", "--count", "500",
                "--duration", "20s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("requests")).isEqualTo(500);
        assertThat(t.getLong("tunnelsOpened")).isEqualTo(4);
        assertThat(t.getLong("errors")).isZero();
    }

    @Test
    void setupOpensANewQuicConnectionPerTunnel() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.port(), "--workload", "setup", "--count", "5",
                "--duration", "20s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.json().getJsonObject("totals").getLong("setups")).isEqualTo(5);
        assertThat(r.json().getJsonObject("latency").getJsonObject("connectAnswer").getLong("count")).isEqualTo(5);
    }

    @Test
    void setupsShareTheEventLoopsUdpSocketWithAHandshakeEach() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.port(), "--workload", "setup", "--count", "6",
                "--threads", "1", "--duration", "60s", "--timeout", "30s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("setups")).isEqualTo(6);
        assertThat(t.getLong("tlsHandshakes")).as("a new QUIC connection, and handshake, per tunnel").isEqualTo(6);
        assertThat(t.getLong("quicUdpSockets")).as("one UDP socket (one quiche config) for the one event loop")
                .isEqualTo(1);
    }

    @Test
    void firstByteOverQuicResumesOnlyWithTlsResume() throws Exception {
        WorkloadsTest.Run full = WorkloadsTest.runIn(dir, viaB(PSK, serve.port(), "--workload", "firstbyte",
                "--count", "4", "--duration", "120s", "--timeout", "60s"));
        assertThat(full.code()).as(full.out() + full.err()).isZero();
        JsonObject t = full.json().getJsonObject("totals");
        assertThat(t.getLong("tunnels")).isEqualTo(4);
        assertThat(t.getLong("tlsHandshakes")).as("a QUIC handshake per tunnel").isEqualTo(4);
        assertThat(t.getLong("tlsResumed")).as("no ticket offered without --tls-resume").isZero();
        assertThat(full.json().getJsonObject("latency").getJsonObject("tlsHandshake").getLong("count")).isEqualTo(4);
        assertThat(full.err()).as("a closed connection's socket is no error").doesNotContain("ClosedChannelException");

        WorkloadsTest.Run resumed = WorkloadsTest.runIn(dir, viaB(PSK, serve.port(), "--workload", "setup",
                "--count", "4", "--duration", "120s", "--timeout", "60s", "--tls-resume"));
        assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.json().getJsonObject("totals").getLong("tlsResumed"))
                .as("B's QUIC listener issues tickets: the connections after the first resume").isBetween(1L, 3L);
        assertThat(resumed.out()).contains("BoringSSL in Netty's QUIC codec");
    }

    @Test
    void idleHoldsStreamsOverMutualTlsWithoutAKey() throws Exception {
        // No pre-shared key: B authenticates the client certificate the QUIC handshake carried.
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--proxy", "https://127.0.0.1:" + port, "--proxy-version", "h3",
                "--proxy-cacert", ca.toString(), "--proxy-cert", clientCert.certificate().toString(),
                "--proxy-key", clientCert.privateKey().toString(), "--target", "127.0.0.1:" + serve.port(),
                "--workload", "idle", "--tunnels", "20", "--h3-connections", "2", "--duration", "800ms");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.json().getJsonObject("totals").getInteger("tunnelsHeld")).isEqualTo(20);
    }

    @Test
    void udpOverH3AsHttp3Datagrams() throws Exception {
        // 1000 bytes fit one QUIC datagram both ways (B's QUIC packets are at most 1200 bytes: see the next test).
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.udpPort(), "--workload", "udp", "--tunnels", "2",
                "--window", "4", "--size", "1000", "--count", "400", "--duration", "20s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("via h3 CONNECT-UDP https://").contains("h3 carriage");
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("datagramsSent")).isEqualTo(400);
        assertThat(t.getLong("datagramsEchoed")).isEqualTo(400);
        assertThat(t.getLong("datagramsLost")).isZero();
        assertThat(t.getLong("bytesReceived")).isEqualTo(400L * 1000);
        assertThat(t.getLong("h3DatagramsSent")).isEqualTo(400);
        assertThat(t.getLong("h3DatagramsReceived")).isEqualTo(400);
        assertThat(t.getLong("capsulesSent")).isZero();
        assertThat(t.getLong("capsulesReceived")).isZero();
        assertThat(r.json().getJsonObject("options").getBoolean("h3Datagrams")).isTrue();
    }

    @Test
    void udpOverH3With1200BytePayloads() throws Exception {
        // Ours leave as datagrams (our QUIC packets go up to 1452 bytes); B's QUIC packets stay at quiche's 1200-byte
        // default, too small for a 1200-byte payload, so B answers those on the stream as capsules. Both are taken.
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.udpPort(), "--workload", "udp", "--tunnels", "2",
                "--window", "4", "--count", "400", "--duration", "20s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("datagramsEchoed")).isEqualTo(400);
        assertThat(t.getLong("datagramsLost")).isZero();
        assertThat(t.getLong("bytesReceived")).isEqualTo(400L * 1200);
        assertThat(t.getLong("h3DatagramsSent")).isEqualTo(400);
        assertThat(t.getLong("h3DatagramsReceived") + t.getLong("capsulesReceived")).isEqualTo(400);
    }

    @Test
    void udpOverH3WithCapsulesForced() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.udpPort(), "--workload", "udp", "--tunnels", "2",
                "--window", "4", "--size", "1k", "--count", "300", "--h3-datagrams", "false", "--duration", "20s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("datagramsEchoed")).isEqualTo(300);
        assertThat(t.getLong("datagramsLost")).isZero();
        assertThat(t.getLong("bytesReceived")).isEqualTo(300L * 1024);
        assertThat(t.getLong("capsulesSent")).isEqualTo(300);
        assertThat(t.getLong("capsulesReceived")).isEqualTo(300);
        assertThat(t.getLong("h3DatagramsSent")).isZero();
        assertThat(t.getLong("h3DatagramsReceived")).isZero();
    }

    @Test
    void udpOverH3WithAWarmup() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, serve.udpPort(), "--workload", "udp", "--window", "8",
                "--warmup", "300ms", "--duration", "700ms"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.json().getJsonObject("totals").getLong("datagramsEchoed")).isPositive();
    }

    @Test
    void proxyBRefusingTheKeyIsAnErrorWithExitCode1() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB("wrong-key", serve.udpPort(), "--workload", "udp",
                "--duration", "2s"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("the proxy answered CONNECT-UDP with :status 40");
        assertThat(r.json().getJsonObject("totals").getLong("tunnelsFailed")).isEqualTo(1);
        WorkloadsTest.Run tcp = WorkloadsTest.runIn(dir, viaB("wrong-key", serve.port(), "--workload", "bulk",
                "--duration", "2s"));
        assertThat(tcp.code()).isEqualTo(1);
        assertThat(tcp.out()).contains("the proxy answered CONNECT with :status 40");
    }

    @Test
    void anUntrustedProxyCertificateFailsTheHandshake() throws Exception {
        Path otherCa = dir.resolve("other-ca.crt");
        Files.writeString(otherCa, DevPki.create("another CA").ca().certificatePem());
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--proxy", "https://127.0.0.1:" + port, "--proxy-version", "h3",
                "--proxy-cacert", otherCa.toString(), "--target", "127.0.0.1:" + serve.port(), "--workload", "rps",
                "--timeout", "3s", "--duration", "2s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.json().getJsonObject("totals").getLong("tunnelsFailed")).isEqualTo(1);
    }
}
