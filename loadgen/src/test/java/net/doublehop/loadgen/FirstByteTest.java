package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.pki.DevPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --workload firstbyte, --client-tls and --tls-resume against real servers on loopback: an in-process {@code serve},
 * a TLS-terminating relay in front of it (Vert.x with the JDK's TLS, which issues TLS 1.3 session tickets) and the
 * test CONNECT proxy over TLS (HTTP/1.1 and HTTP/2).
 */
class FirstByteTest {

    @org.junit.jupiter.api.io.TempDir
    static Path dir;

    static SourceServer serve;
    static Vertx vertx;
    static NetServer relay;
    static TestProxy tlsProxy;
    static Path ca;
    static DevPki.PemFiles clientCert;

    @BeforeAll
    static void start() throws Exception {
        serve = SourceServer.start("127.0.0.1", 0, 1);
        DevPki pki = DevPki.create("loadgen firstbyte test CA");
        DevPki.PemFiles server = pki.server("localhost", List.of("localhost"), List.of("127.0.0.1")).writeTo(dir, "server");
        ca = dir.resolve("ca.crt");
        Files.writeString(ca, pki.ca().certificatePem());
        vertx = Vertx.vertx();
        relay = TlsTerminator.start(vertx, server.certificate(), server.privateKey(), serve.port());
        clientCert = pki.client("loadgen firstbyte test client").writeTo(dir, "client");
        tlsProxy = TestProxy.tls(server.certificate(), server.privateKey(), ca);
    }

    @AfterAll
    static void stop() throws Exception {
        if (tlsProxy != null) {
            tlsProxy.close();
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (serve != null) {
            serve.close();
        }
    }

    private static WorkloadsTest.Run directTls(String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--direct-tls", "--proxy-cacert", ca.toString(),
                "--target", "127.0.0.1:" + relay.actualPort(), "--duration", "120s", // --count ends the run
                "--timeout", "60s")); // a loaded machine may take seconds for a handshake
        args.addAll(List.of(more));
        return WorkloadsTest.runIn(dir, args.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void firstByteTimesEachPhaseAndReceivesTheWholeAnswer(String clientTls) throws Exception {
        WorkloadsTest.Run r = directTls("--workload", "firstbyte", "--count", "12", "--client-tls", clientTls,
                "--request-size", "100", "--response-size", "3000");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject totals = r.json().getJsonObject("totals");
        assertThat(totals.getLong("tunnels")).isEqualTo(12);
        assertThat(totals.getLong("errors")).isZero();
        assertThat(totals.getLong("tlsHandshakes")).isEqualTo(12);
        assertThat(totals.getLong("tlsResumed")).as("no session offered without --tls-resume").isZero();
        assertThat(totals.getString("tlsProtocol")).isEqualTo("TLSv1.3");
        assertThat(r.json().getJsonObject("options").getString("clientTls")).isEqualTo(clientTls);
        assertThat(r.json().getString("tls")).startsWith(clientTls.equals("jdk") ? "JDK" : "OpenSSL");
        JsonObject lat = r.json().getJsonObject("latency");
        assertThat(lat.fieldNames()).contains("firstByte", "tcpConnect", "tlsHandshake", "requestToFirstByte");
        for (String k : List.of("firstByte", "tcpConnect", "tlsHandshake", "requestToFirstByte")) {
            assertThat(lat.getJsonObject(k).getLong("count")).as(k).isEqualTo(12);
        }
        assertThat(lat.getJsonObject("firstByte").getJsonObject("percentiles").getLong("p50"))
                .as("the whole way takes longer than its TLS handshake alone")
                .isGreaterThan(lat.getJsonObject("tlsHandshake").getJsonObject("percentiles").getLong("p50"));
        assertThat(r.out()).contains("first byte   p50").contains("handshake").contains("TCP connect")
                .contains("12 handshakes, 0 resumed");
        // every answer was read whole (3000 bytes each) before the tunnel closed
        assertThat(r.json().getJsonObject("totals").getLong("tunnels") * 3000)
                .isLessThanOrEqualTo(r.json().getJsonArray("series").stream()
                        .mapToLong(s -> ((JsonObject) s).getLong("bytes")).sum());
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void tlsResumeOffersTheTicketOfAnEarlierConnection(String clientTls) throws Exception {
        WorkloadsTest.Run r = directTls("--workload", "setup", "--count", "10", "--client-tls", clientTls,
                "--tls-resume");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject totals = r.json().getJsonObject("totals");
        assertThat(totals.getLong("tlsHandshakes")).isEqualTo(10);
        assertThat(totals.getLong("tlsResumed")).as("the relay (JDK TLS 1.3) issues tickets: all but the first "
                + "connections can resume").isBetween(5L, 9L);
        assertThat(r.out()).contains("resumed (--tls-resume)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h1", "h2"})
    void firstByteThroughATlsConnectProxyAddsTheConnectAnswer(String version) throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--proxy", "https://127.0.0.1:" + tlsProxy.port(),
                "--proxy-version", version, "--proxy-cacert", ca.toString(), "--proxy-cert",
                clientCert.certificate().toString(), "--proxy-key", clientCert.privateKey().toString(), "--target", "127.0.0.1:" + serve.port(),
                "--workload", "firstbyte", "--count", "6", "--duration", "120s", "--timeout", "60s", "--client-tls", "jdk",
                "--tcp-nodelay", "false");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject lat = r.json().getJsonObject("latency");
        assertThat(lat.getJsonObject("connectAnswer").getLong("count")).isEqualTo(6);
        assertThat(lat.getJsonObject("firstByte").getLong("count")).isEqualTo(6);
        assertThat(r.json().getJsonObject("totals").getLong("tlsHandshakes")).as("a new connection per tunnel")
                .isEqualTo(6);
        assertThat(r.json().getJsonObject("options").getBoolean("tcpNoDelay")).isFalse();
    }

    @Test
    void firstByteStraightToTheTargetHasNoTlsPhase() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--direct", "--target", "127.0.0.1:" + serve.port(),
                "--workload", "firstbyte", "--count", "5", "--duration", "120s", "--timeout", "60s");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject lat = r.json().getJsonObject("latency");
        assertThat(lat.getJsonObject("firstByte").getLong("count")).isEqualTo(5);
        assertThat(lat.fieldNames()).doesNotContain("tlsHandshake", "connectAnswer");
        assertThat(r.json().getJsonObject("totals").containsKey("tlsHandshakes")).isFalse();
    }

    @Test
    void clientTlsOptionsNeedTlsOverTcp() {
        org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, () -> Options.parse("--direct",
                "--target", "127.0.0.1:1", "--client-tls", "jdk"));
        org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, () -> Options.parse("--proxy",
                "http://127.0.0.1:1", "--target", "127.0.0.1:1", "--tls-resume"));
        org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, () -> Options.parse("--proxy",
                "https://127.0.0.1:1", "--proxy-version", "h3", "--target", "127.0.0.1:1", "--client-tls", "jdk"));
        org.junit.jupiter.api.Assertions.assertThrows(UsageException.class, () -> Options.parse("--direct-tls",
                "--target", "127.0.0.1:1", "--client-tls", "gnutls"));
    }
}
