package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.pki.DevPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --direct-tls: the workloads straight to a TLS endpoint without CONNECT. The endpoint is a TLS-terminating TCP relay
 * (what HAProxy in mode tcp does in scripts/bench-peers.sh) in front of an in-process {@code serve}.
 */
class DirectTlsTest {

    @TempDir
    static Path dir;

    static SourceServer serve;
    static Vertx vertx;
    static NetServer relay;
    static Path ca;

    @BeforeAll
    static void start() throws Exception {
        serve = SourceServer.start("127.0.0.1", 0, 1);
        DevPki pki = DevPki.create("loadgen direct-tls test CA");
        DevPki.PemFiles server = pki.server("localhost", List.of("localhost"), List.of("127.0.0.1")).writeTo(dir, "server");
        ca = dir.resolve("ca.crt");
        Files.writeString(ca, pki.ca().certificatePem());
        vertx = Vertx.vertx();
        relay = TlsTerminator.start(vertx, server.certificate(), server.privateKey(), serve.port());
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        if (serve != null) {
            serve.close();
        }
    }

    private static String target() {
        return "127.0.0.1:" + relay.actualPort();
    }

    @Test
    void parsesDirectTlsAsDirectWithTheTlsOptionsForTheTarget() throws Exception {
        Options o = Options.parse("--direct-tls", "--target", "127.0.0.1:1", "--proxy-insecure");
        assertThat(o.direct).isTrue();
        assertThat(o.directTls).isTrue();
        assertThat(o.describe()).containsEntry("directTls", true);
        assertThat(Options.parse("--direct", "--target", "127.0.0.1:1").directTls).isFalse();
    }

    @Test
    void rpsAndSetupOverTlsVerifyingTheTarget() throws Exception {
        WorkloadsTest.Run rps = WorkloadsTest.runIn(dir, "--direct-tls", "--proxy-cacert", ca.toString(),
                "--target", target(), "--workload", "rps", "--tunnels", "2", "--count", "200", "--duration", "10s");
        assertThat(rps.code()).as(rps.out() + rps.err()).isZero();
        assertThat(rps.out()).contains("direct over TLS");
        assertThat(rps.json().getJsonObject("totals").getLong("requests")).isEqualTo(200);
        WorkloadsTest.Run setup = WorkloadsTest.runIn(dir, "--direct-tls", "--proxy-insecure", "--target", target(),
                "--workload", "setup", "--count", "10", "--duration", "10s");
        assertThat(setup.code()).as(setup.out() + setup.err()).isZero();
        assertThat(setup.json().getJsonObject("totals").getLong("setups")).isEqualTo(10);
    }

    @Test
    void anUntrustedTargetFails() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--direct-tls", "--target", target(), "--workload", "setup",
                "--count", "1", "--duration", "3s");
        assertThat(r.code()).as("the JDK trust store does not know the test CA").isEqualTo(1);
    }
}
