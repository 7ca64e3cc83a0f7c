package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxyb.ProxyB;
import net.doublehop.proxyb.config.ConfigLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The udp workload against the in-process {@code serve}'s UDP echo on a loopback ephemeral port: straight (--direct)
 * and through a real Proxy B (CONNECT-UDP over HTTP/1.1 + TLS, DATAGRAM capsules), started in this JVM from a
 * YAML text on ephemeral ports. Short runs; counts, never timings.
 */
class UdpWorkloadTest {

    static final String PSK = "udp-test-key-0123456789";

    @TempDir
    static Path dir;

    static SourceServer serve;
    static String udpTarget;
    static Vertx vertx;
    static ProxyB proxyB;

    @BeforeAll
    static void start() throws Exception {
        serve = SourceServer.start("127.0.0.1", 0, 1);
        udpTarget = "127.0.0.1:" + serve.udpPort();
        vertx = Vertx.vertx();
        String yaml = """
                listen: 127.0.0.1:0
                admin: 127.0.0.1:0
                auth:
                  preshared-keys: [%s]
                egress:
                  pools:
                    - {name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}
                  default-pool: tokyo
                destinations:
                  allow: [127.0.0.1/32]
                """.formatted(PSK);
        proxyB = ProxyB.start(vertx, ConfigLoader.parse(yaml, Files.createDirectories(dir.resolve("b"))), 1)
                .await(30, TimeUnit.SECONDS);
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

    private static String[] viaB(String key, String... more) {
        String[] base = {"--proxy", "https://127.0.0.1:" + proxyB.port(), "--proxy-insecure",
            "--proxy-header", "Proxy-Authorization: Preshared " + key, "--proxy-header", "sec-ch-geohash: xn76c-JP",
            "--target", udpTarget, "--workload", "udp"};
        String[] r = new String[base.length + more.length];
        System.arraycopy(base, 0, r, 0, base.length);
        System.arraycopy(more, 0, r, base.length, more.length);
        return r;
    }

    @Test
    void directUdpEchoesEveryDatagramAndReportsRoundTrips() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--direct", "--target", udpTarget, "--workload", "udp",
                "--tunnels", "2", "--window", "4", "--count", "400", "--duration", "20s");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("loadgen udp direct").contains("pkt/s").contains("round trip   p50");
        assertThat(r.err()).contains("pkt/s echoed").contains("lost");
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("datagramsSent")).isEqualTo(400);
        assertThat(t.getLong("datagramsEchoed")).isEqualTo(400);
        assertThat(t.getLong("datagramsLost")).isZero();
        assertThat(t.getLong("datagramsLate")).isZero();
        assertThat(t.getLong("bytesSent")).isEqualTo(400L * 1200);
        assertThat(t.getLong("bytesReceived")).isEqualTo(400L * 1200);
        assertThat(t.getDouble("packetsPerSecEchoed")).isPositive();
        assertThat(t.getDouble("mbpsSent")).isPositive();
        assertThat(t.getLong("errors")).isZero();
        JsonObject rtt = r.json().getJsonObject("latency").getJsonObject("udpRoundTrip");
        assertThat(rtt.getLong("count")).isEqualTo(400);
        assertThat(rtt.getJsonObject("percentiles").fieldNames()).contains("p50", "p90", "p99", "max");
        JsonObject o = r.json().getJsonObject("options");
        assertThat(o.getInteger("size")).isEqualTo(1200);
        assertThat(o.getInteger("window")).isEqualTo(4);
        assertThat(Files.readString(r.html())).contains("<svg").contains("datagram round trip")
                .contains("datagrams echoed/s");
    }

    @Test
    void throughProxyBOverConnectUdp() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, "--tunnels", "2", "--window", "4", "--size", "1k",
                "--count", "300", "--duration", "20s"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("via h1 CONNECT-UDP https://");
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("datagramsEchoed")).isEqualTo(300);
        assertThat(t.getLong("datagramsLost")).isZero();
        assertThat(t.getLong("bytesReceived")).isEqualTo(300L * 1024);
        assertThat(t.getLong("tunnelsOpened")).isEqualTo(2);
        assertThat(r.json().getJsonObject("options").getString("method")).isEqualTo("CONNECT-UDP");
        assertThat(r.json().getJsonObject("latency").getJsonObject("connectAnswer").getLong("count")).isEqualTo(2);
        assertThat(r.json().getJsonObject("latency").getJsonObject("udpRoundTrip").getLong("count")).isEqualTo(300);
    }

    @Test
    void throughProxyBWithAWarmupAndADuration() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB(PSK, "--method", "connect-udp", "--tunnels", "1",
                "--warmup", "300ms", "--duration", "700ms"));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("datagramsEchoed")).isPositive();
        assertThat(t.getLong("datagramsLost")).isZero();
    }

    @Test
    void proxyBRefusingTheKeyIsAnErrorWithExitCode1() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, viaB("wrong-key", "--duration", "2s"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("the proxy answered CONNECT-UDP with 'HTTP/1.1 40");
        assertThat(r.json().getJsonObject("totals").getLong("tunnelsFailed")).isEqualTo(1);
    }

    @Test
    void proxyBRefusingTheDestinationIsAnError() throws Exception {
        // 127.0.0.9 is not in destinations.allow: B answers 502 (destination_ip_prohibited).
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--proxy", "https://127.0.0.1:" + proxyB.port(),
                "--proxy-insecure", "--proxy-header", "Proxy-Authorization: Preshared " + PSK,
                "--target", "127.0.0.9:" + serve.udpPort(), "--workload", "udp", "--duration", "2s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("the proxy answered CONNECT-UDP with 'HTTP/1.1 5");
    }

    @Test
    void datagramsNobodyEchoesAreCountedLostNotAsErrors() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--direct", "--target", "127.0.0.1:" + silent.getLocalPort(),
                    "--workload", "udp", "--window", "2", "--loss-timeout", "100ms", "--duration", "1s");
            assertThat(r.code()).as("lost datagrams are not errors").isZero();
            JsonObject t = r.json().getJsonObject("totals");
            assertThat(t.getLong("datagramsEchoed")).isZero();
            assertThat(t.getLong("datagramsLost")).isPositive();
            assertThat(t.getDouble("lossPercent")).isEqualTo(100.0);
            assertThat(r.out()).contains("lost         ");
        }
    }
}
