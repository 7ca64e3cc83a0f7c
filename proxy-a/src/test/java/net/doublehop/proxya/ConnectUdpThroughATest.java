package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.Test;

/**
 * CONNECT-UDP (RFC 9298) over HTTP/1.1 through A to B: A authenticates the user, locates and signs as for CONNECT,
 * and opens CONNECT-UDP to B; the capsules pass through; B sends the datagrams from the pool of A's signed location.
 */
class ConnectUdpThroughATest {

    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8));

    @Test
    void datagramsGoThroughBothHopsFromTheLocatedPool() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture();
                UdpEchoDestination echo = new UdpEchoDestination()) {
            try (RawProxyClient c = new RawProxyClient(fx.a.port(), true, "127.0.0.10")) { // located in Tokyo
                c.send("GET /.well-known/masque/udp/127.0.0.1/" + echo.port() + "/ HTTP/1.1\r\nHost: a\r\n"
                        + "Connection: Upgrade\r\nUpgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n" + AUTH + "\r\n\r\n");
                RawProxyClient.Head h = c.readHead();
                assertThat(h.status()).as(h.headers().toString()).isEqualTo(101);
                assertThat(h.header("capsule-protocol")).isEqualTo("?1");
                assertThat(h.header("server-timing")).matches("proxy;dur=[0-9.]+, proxy-a;dur=[0-9.]+");
                c.sendBytes(new byte[] {0x00, 0x06, 0x00, 'h', 'e', 'l', 'l', 'o'}); // DATAGRAM, len 6, ctx 0, "hello"
                assertThat(readDatagram(c.input())).isEqualTo("from=127.0.0.2 hello");
            }
            assertThat(DoubleHopFixture.metric(fx.b.adminPort(),
                    "privacy_proxy_requests_total{hop=\"b\",method=\"connect-udp\",protocol=\"h1\"}")).isEqualTo(1.0);
        }
    }

    private static String readDatagram(InputStream in) throws IOException {
        assertThat(in.read()).isZero();                 // type DATAGRAM
        int length = in.read();                         // one-byte varint: short payloads
        byte[] value = in.readNBytes(length);
        assertThat(value[0]).isZero();                  // context ID 0
        return new String(value, 1, value.length - 1, StandardCharsets.ISO_8859_1);
    }
}
