package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cleartext listeners ({@code tls: none}: HTTP/1.1 and h2c), destination names through real DNS, and
 * Happy Eyeballs falling back to IPv4 when the IPv6 attempt fails.
 */
class TransportVariantsTest {

    private static final String AUTH = "Proxy-Authorization: Preshared " + ProxyBFixture.PSK;

    @Test
    void cleartextHttp1AndH2c() throws Exception {
        try (ProxyBFixture fx = new ProxyBFixture("tls: none\n")) {
            try (RawProxyClient c = new RawProxyClient(fx.port(), false)) {
                c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                assertThat(c.readHead().status()).isEqualTo(200);
                c.send("plain");
                assertThat(new String(c.readBytes(5))).isEqualTo("plain");
            }
            // The same Node peer, speaking h2c with prior knowledge.
            List<JsonNode> r = NodeHttp2ThroughProxyBTest.node(fx.port(), "http", fx.destHttp(), 2, "http",
                    "proxy-authorization: Preshared " + ProxyBFixture.PSK, "sec-ch-geohash: xn76c-JP");
            assertThat(r).hasSize(2).allSatisfy(j -> {
                assertThat(j.get("status").asInt()).isEqualTo(200);
                assertThat(j.get("body").asText()).contains("seen-from=127.0.0.2 ");
            });
        }
    }

    /**
     * Names through real DNS (a fake server on loopback): NXDOMAIN is 502 dns_error, a name whose A record
     * points into a refused range is 502 destination_ip_prohibited, a permitted one connects.
     */
    @Test
    void dnsAnswersAreCheckedAgainstThePolicy() throws Exception {
        Path emptyHosts = Files.createTempFile("hosts", ".txt");
        try (FakeDnsServer dns = new FakeDnsServer(java.util.Map.of(
                        "internal.example", List.of(InetAddress.getByName("10.0.0.1")),
                        "dest.example", List.of(InetAddress.getByName("127.0.0.1"))));
                ProxyBFixture fx = new ProxyBFixture("dns: {servers: [\"127.0.0.1:" + dns.port() + "\"], hosts-file: "
                        + emptyHosts + "}\n")) {
            String[][] cases = {
                {"nowhere.example:80", "502", "error=dns_error"},
                {"internal.example:80", "502", "error=destination_ip_prohibited"},
                {"dest.example:" + fx.destination.echoPort(), "200", null},
            };
            for (String[] c : cases) {
                try (RawProxyClient client = new RawProxyClient(fx.port(), true)) {
                    client.send("CONNECT " + c[0] + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                    RawProxyClient.Head h = client.readHead();
                    assertThat(h.status()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
                    if (c[2] != null) {
                        assertThat(h.header("proxy-status")).contains(c[2]);
                    }
                }
            }
        }
    }

    /** The IPv6 address refuses the connection; Happy Eyeballs moves on to IPv4 at once. */
    @Test
    void happyEyeballsFallsBackToIpv4() throws Exception {
        try (ServerSocket v4 = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            int port = v4.getLocalPort();
            try (ServerSocket probe = new ServerSocket()) {
                // Precondition: nothing listens on [::1]:port, so the IPv6 attempt is refused.
                probe.bind(new java.net.InetSocketAddress(InetAddress.getByName("::1"), port));
            }
            Path hosts = Files.createTempFile("hosts", ".txt");
            Files.writeString(hosts, "::1 dual.test\n127.0.0.1 dual.test\n");
            try (ProxyBFixture fx = new ProxyBFixture(ProxyBFixture.BASE_YAML.replace("allow: [127.0.0.1/32]",
                    "allow: [127.0.0.1/32, \"::1/128\"]"), "dns: {hosts-file: " + hosts + "}\n");
                    RawProxyClient c = new RawProxyClient(fx.port(), true)) {
                c.send("CONNECT dual.test:" + port + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n"
                        + "sec-ch-geohash: gcpvj-GB\r\n\r\n");
                assertThat(c.readHead().status()).isEqualTo(200);
                try (java.net.Socket accepted = v4.accept()) {
                    assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("127.0.0.3");
                }
            }
        }
    }
}
