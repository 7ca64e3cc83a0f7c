package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.doublehop.proxyb.config.ConfigLoader;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.Test;

/**
 * Configured CONNECT-UDP URI templates (RFC 9298 §2): B serves its own ({@code connect-udp.uri-template}), A is told
 * B's ({@code upstream.connect-udp-template}) and serves one of its own; requests on the default path are then 404.
 */
class ConnectUdpTemplateTest {

    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8));

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static RawProxyClient.Head upgrade(RawProxyClient c, String path) throws Exception {
        c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\n"
                + "Capsule-Protocol: ?1\r\nProxy-Authorization: " + BASIC + "\r\n\r\n");
        return c.readHead();
    }

    @Test
    void bothHopsServeTheirConfiguredTemplates() throws Exception {
        int aPort = freePort();
        int bPort = freePort();
        String aYaml = "  connect-udp-template: \"https://127.0.0.1:" + bPort + "/b/udp?h={target_host}&p={target_port}\"\n"
                + "connect-udp:\n  uri-template: \"https://127.0.0.1:" + aPort + "/a/{target_host}/{target_port}\"\n";
        String bYaml = "connect-udp:\n  uri-template: \"https://127.0.0.1:" + bPort + "/b/udp?h={target_host}&p={target_port}\"\n";
        try (UdpEchoDestination echo = new UdpEchoDestination();
                DoubleHopFixture fx = new DoubleHopFixture(aYaml, "{file: users.txt}", bYaml, aPort, bPort)) {
            try (RawProxyClient c = new RawProxyClient(fx.a.port(), true, "127.0.0.10")) {
                assertThat(upgrade(c, "/a/127.0.0.1/" + echo.port()).status()).isEqualTo(101);
                c.sendBytes(new byte[] {0x00, 0x03, 0x00, 'h', 'i'});
                assertThat(c.input().read()).isZero();
                byte[] value = c.input().readNBytes(c.input().read());
                assertThat(new String(value, 1, value.length - 1, StandardCharsets.ISO_8859_1))
                        .isEqualTo("from=127.0.0.2 hi");
            }
            try (RawProxyClient c = new RawProxyClient(fx.a.port(), true, "127.0.0.10")) {
                assertThat(upgrade(c, "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/").status())
                        .isEqualTo(404);
            }
        }
    }

    @Test
    void aTemplateWithoutTheTargetVariablesIsAConfigError() {
        String yaml = """
                listen: 127.0.0.1:0
                auth: {preshared-keys: [dev-key-change-me]}
                egress: {pools: [{name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}], bind-check: false}
                connect-udp: {uri-template: "https://proxy.example/udp/"}
                """;
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, java.nio.file.Path.of(".")))
                .hasMessageContaining("connect-udp URI template");
    }
}
