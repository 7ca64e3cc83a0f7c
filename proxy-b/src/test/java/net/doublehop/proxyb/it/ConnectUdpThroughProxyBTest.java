package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CONNECT-UDP (RFC 9298) over HTTP/1.1 to Proxy B: upgrade, DATAGRAM capsules (RFC 9297) both ways, egress from
 * the geohash's pool, and the refusals. The UDP destination echoes each datagram prefixed with the sender
 * address it saw.
 */
class ConnectUdpThroughProxyBTest {

    private static ProxyBFixture fx;
    private static UdpEchoDestination echo;

    @BeforeAll
    static void start() throws Exception {
        fx = new ProxyBFixture("");
        echo = new UdpEchoDestination();
    }

    @AfterAll
    static void stop() throws Exception {
        echo.close();
        fx.close();
    }

    private static String request(String path, String... extraHeaders) {
        StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: proxy\r\nConnection: Upgrade\r\n"
                + "Upgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static String echoPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/";
    }

    /** A DATAGRAM capsule: type 0x00, length (1-byte varint; payloads here are short), context ID 0, payload. */
    private static byte[] datagram(String payload) {
        byte[] p = payload.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[3 + p.length];
        out[0] = 0x00;                  // type DATAGRAM
        out[1] = (byte) (1 + p.length); // length (< 64: one byte)
        out[2] = 0x00;                  // context ID 0: UDP payload
        System.arraycopy(p, 0, out, 3, p.length);
        return out;
    }

    /** Reads one DATAGRAM capsule and returns its UDP payload. */
    private static String readDatagram(InputStream in) throws IOException {
        int type = in.read();
        assertThat(type).isZero();
        int first = in.read();
        int length = (first & 0xc0) == 0 ? first : ((first & 0x3f) << 8) | in.read(); // 1- or 2-byte varint
        byte[] value = in.readNBytes(length);
        assertThat(value[0]).isZero(); // context ID 0
        return new String(value, 1, value.length - 1, StandardCharsets.ISO_8859_1);
    }

    @Test
    void datagramsFlowBothWaysFromTheGeohashPool() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send(request(echoPath(), "Proxy-Authorization: Preshared " + ProxyBFixture.PSK, "sec-ch-geohash: xn76c-JP"));
            RawProxyClient.Head h = c.readHead();
            assertThat(h.status()).isEqualTo(101);
            assertThat(h.header("upgrade")).isEqualTo("connect-udp");
            assertThat(h.header("capsule-protocol")).isEqualTo("?1");
            c.sendBytes(datagram("hello"));
            assertThat(readDatagram(c.input())).isEqualTo("from=127.0.0.2 hello");
            // an unknown capsule type (0x17 + 0x29·1 = 0x40, reserved for greasing; 2-byte varint 0x4040) is skipped
            c.sendBytes(HexFormat.of().parseHex("4040" + "03" + "aabbcc"));
            c.sendBytes(datagram("again"));
            assertThat(readDatagram(c.input())).isEqualTo("from=127.0.0.2 again");
        }
    }

    @Test
    void withoutGeohashTheDefaultPool() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send(request(echoPath(), "Proxy-Authorization: Preshared " + ProxyBFixture.PSK));
            assertThat(c.readHead().status()).isEqualTo(101);
            c.sendBytes(datagram("x"));
            assertThat(readDatagram(c.input())).isEqualTo("from=127.0.0.3 x");
        }
    }

    @Test
    void aMalformedCapsuleStreamEndsTheFlowOnly() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send(request(echoPath(), "Proxy-Authorization: Preshared " + ProxyBFixture.PSK));
            assertThat(c.readHead().status()).isEqualTo(101);
            c.sendBytes(HexFormat.of().parseHex("00" + "00")); // DATAGRAM of length 0: no context ID (RFC 9298 §5)
            assertThat(c.input().read()).isEqualTo(-1);         // the flow is closed
        }
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) { // the proxy serves on
            c.send(request(echoPath(), "Proxy-Authorization: Preshared " + ProxyBFixture.PSK));
            assertThat(c.readHead().status()).isEqualTo(101);
            c.sendBytes(datagram("still"));
            assertThat(readDatagram(c.input())).isEqualTo("from=127.0.0.3 still");
        }
    }

    @Test
    void refusals() throws Exception {
        String auth = "Proxy-Authorization: Preshared " + ProxyBFixture.PSK;
        assertRefused(request(echoPath()), 407, "http_request_denied");
        assertRefused(request("/.well-known/masque/udp/10.1.2.3/53/", auth), 502, "destination_ip_prohibited");
        assertRefused(request("/.well-known/masque/udp/127.0.0.1/0/", auth), 400, "http_request_error");
        assertRefused(request("/.well-known/masque/udp/127.0.0.1/99999/", auth), 400, "http_request_error");
        assertRefused(request("/somewhere/else", auth), 404, "http_request_error");
    }

    private static void assertRefused(String raw, int status, String error) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send(raw);
            RawProxyClient.Head h = c.readHead();
            assertThat(h.status()).as(raw).isEqualTo(status);
            assertThat(h.header("proxy-status")).as(raw).startsWith("proxy-b; error=" + error);
        }
    }

    @Test
    void metricsCountConnectUdp() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send(request(echoPath(), "Proxy-Authorization: Preshared " + ProxyBFixture.PSK));
            assertThat(c.readHead().status()).isEqualTo(101);
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fx.proxy.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("method=\"connect-udp\"");
    }
}
