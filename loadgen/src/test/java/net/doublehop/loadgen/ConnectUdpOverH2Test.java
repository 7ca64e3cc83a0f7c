package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.doublehop.protocol.pki.DevPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONNECT-UDP over HTTP/2 (extended CONNECT, DATAGRAM capsules on the stream) against {@link ExtendedConnectH2Server}:
 * Proxy B's HTTP/2 listener in this tree is Vert.x's, which does not advertise SETTINGS_ENABLE_CONNECT_PROTOCOL, so
 * a small Netty server that does stands in for it (it echoes the capsules; the h1 and h3 tests go through B).
 */
class ConnectUdpOverH2Test {

    @TempDir
    static Path dir;

    static ExtendedConnectH2Server enabled;
    static ExtendedConnectH2Server disabled;

    @BeforeAll
    static void start() throws Exception {
        DevPki pki = DevPki.create("loadgen h2 test CA");
        DevPki.PemFiles server = pki.server("localhost", List.of("localhost"), List.of("127.0.0.1")).writeTo(dir, "h2");
        enabled = new ExtendedConnectH2Server(server.certificate(), server.privateKey(), true);
        disabled = new ExtendedConnectH2Server(server.certificate(), server.privateKey(), false);
    }

    @AfterAll
    static void stop() throws Exception {
        if (enabled != null) {
            enabled.close();
        }
        if (disabled != null) {
            disabled.close();
        }
    }

    @Test
    void udpFlowsAsExtendedConnectStreamsOnOneConnection() throws Exception {
        int before = enabled.connections.get();
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--proxy", "https://127.0.0.1:" + enabled.port(),
                "--proxy-version", "h2", "--proxy-insecure", "--proxy-header", "Proxy-Authorization: Preshared k",
                "--target", "127.0.0.1:9", "--workload", "udp", "--tunnels", "3", "--window", "4", "--count", "300",
                "--duration", "20s");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("via h2 CONNECT-UDP https://");
        JsonObject t = r.json().getJsonObject("totals");
        assertThat(t.getLong("datagramsSent")).isEqualTo(300);
        assertThat(t.getLong("datagramsEchoed")).isEqualTo(300);
        assertThat(t.getLong("datagramsLost")).isZero();
        assertThat(t.getLong("bytesReceived")).isEqualTo(300L * 1200);
        assertThat(t.getLong("tunnelsOpened")).isEqualTo(3);
        assertThat(enabled.connections.get() - before).as("3 streams on --h2-connections 1").isEqualTo(1);
        Map<String, String> head = enabled.requests.get(enabled.requests.size() - 1);
        assertThat(head).containsEntry(":method", "CONNECT").containsEntry(":protocol", "connect-udp")
                .containsEntry(":scheme", "https").containsEntry(":authority", "127.0.0.1:" + enabled.port())
                .containsEntry(":path", "/.well-known/masque/udp/127.0.0.1/9/")
                .containsEntry("capsule-protocol", "?1").containsEntry("proxy-authorization", "Preshared k");
    }

    @Test
    void aServerWithoutExtendedConnectIsAnError() throws Exception {
        WorkloadsTest.Run r = WorkloadsTest.runIn(dir, "--proxy", "https://127.0.0.1:" + disabled.port(),
                "--proxy-version", "h2", "--proxy-insecure", "--target", "127.0.0.1:9", "--workload", "udp",
                "--duration", "2s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("do not enable extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL)");
        assertThat(disabled.requests).isEmpty();
    }
}
