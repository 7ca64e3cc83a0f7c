package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http3.DefaultHttp3Headers;
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
 * CONNECT-UDP over HTTP/3 to Proxy B (RFC 9298 §3.4, RFC 9220 extended CONNECT): UDP payloads as HTTP/3 datagrams
 * (RFC 9297 §2) when both sides said SETTINGS_H3_DATAGRAM, as DATAGRAM capsules on the stream otherwise, from
 * the geohash pool's egress address; hostile input ends one flow, never the connection.
 */
class ConnectUdpOverHttp3Test {

    private static final String PSK = "Preshared " + ProxyBFixture.PSK;
    private static ProxyBFixture fx;
    private static UdpEchoDestination echo;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        fx = ProxyBFixture.withHttp3("");
        port = fx.port();
        echo = new UdpEchoDestination();
    }

    @AfterAll
    static void stop() throws Exception {
        echo.close();
        fx.close();
    }

    private static String echoPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A DATAGRAM capsule: type 0x00, 1-byte length (short payloads), context ID 0, payload. */
    private static byte[] capsule(String payload) {
        byte[] p = bytes(payload);
        byte[] out = new byte[3 + p.length];
        out[1] = (byte) (1 + p.length);
        System.arraycopy(p, 0, out, 3, p.length);
        return out;
    }

    /** The UDP payload of the first DATAGRAM capsule in {@code stream}, or null when none is complete yet. */
    private static String firstCapsule(byte[] stream) {
        if (stream.length < 2) {
            return null;
        }
        assertThat(stream[0]).isZero(); // type DATAGRAM
        int length = stream[1];
        if (stream.length < 2 + length) {
            return null;
        }
        byte[] value = new byte[length];
        System.arraycopy(stream, 2, value, 0, length);
        assertThat(value[0]).isZero(); // context ID 0
        return new String(value, 1, length - 1, StandardCharsets.ISO_8859_1);
    }

    private static String awaitCapsule(Http3MasqueClient.Flow f) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            String got = firstCapsule(f.streamBytes());
            if (got != null) {
                return got;
            }
            Thread.sleep(10);
        }
        return null;
    }

    @Test
    void datagramsBothWaysFromTheGeohashPool() throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", port, true)) {
            Http3MasqueClient.Flow f = c.connectUdp("127.0.0.1:" + port, echoPath(), "proxy-authorization", PSK,
                    "sec-ch-geohash", "xn76c-JP");
            assertThat(f.status()).isEqualTo(200);
            assertThat(f.header("capsule-protocol")).isEqualTo("?1");
            assertThat(f.header("server-timing")).startsWith("proxy;dur=");
            f.sendDatagram(bytes("hello"));
            assertThat(text(f.nextDatagram(10_000))).isEqualTo("from=127.0.0.2 hello");
            f.sendDatagram(bytes("again"));
            assertThat(text(f.nextDatagram(10_000))).isEqualTo("from=127.0.0.2 again");
            // a full-size 1,200-byte payload fits one HTTP/3 datagram each way (B's QUIC packets go up to 1,452 bytes)
            byte[] big = new byte[1200];
            java.util.Arrays.fill(big, (byte) 'x');
            f.sendDatagram(big);
            assertThat(text(f.nextDatagram(10_000))).isEqualTo("from=127.0.0.2 " + text(big));
            assertThat(f.streamBytes()).isEmpty(); // answers went as datagrams, not capsules
        }
    }

    @Test
    void capsulesOnTheStreamAreTheFallback() throws Exception {
        // The client did not send SETTINGS_H3_DATAGRAM: B must answer with capsules (RFC 9297 §2.1.1).
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", port, false)) {
            Http3MasqueClient.Flow f = c.connectUdp("127.0.0.1:" + port, echoPath(), "proxy-authorization", PSK);
            assertThat(f.status()).isEqualTo(200);
            f.sendOnStream(capsule("cap"));
            assertThat(awaitCapsule(f)).isEqualTo("from=127.0.0.3 cap");
            assertThat(f.nextDatagram(200)).isNull();
        }
    }

    @Test
    void aCapsuleOnTheStreamIsAcceptedWhenDatagramsAreOnToo() throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", port, true)) {
            Http3MasqueClient.Flow f = c.connectUdp("127.0.0.1:" + port, echoPath(), "proxy-authorization", PSK);
            f.sendOnStream(capsule("mixed"));
            assertThat(text(f.nextDatagram(10_000))).isEqualTo("from=127.0.0.3 mixed");
        }
    }

    @Test
    void malformedInputEndsOneFlowNotTheConnection() throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", port, true)) {
            Http3MasqueClient.Flow healthy = c.connectUdp("127.0.0.1:" + port, echoPath(), "proxy-authorization", PSK);

            Http3MasqueClient.Flow badCapsule = c.connectUdp("127.0.0.1:" + port, echoPath(),
                    "proxy-authorization", PSK);
            badCapsule.sendOnStream(HexFormat.of().parseHex("0000")); // DATAGRAM of length 0: no context ID
            assertThat(badCapsule.awaitEnd(10_000)).isTrue();

            Http3MasqueClient.Flow badDatagram = c.connectUdp("127.0.0.1:" + port, echoPath(),
                    "proxy-authorization", PSK);
            // a datagram that is only a quarter stream ID: no context ID (RFC 9298 §5)
            c.sendRawDatagram(io.netty.buffer.Unpooled.wrappedBuffer(
                    net.doublehop.protocol.masque.QuarterStreamId.encode(badDatagram.streamId())));
            assertThat(badDatagram.awaitEnd(10_000)).isTrue();

            // a datagram for a stream that does not exist is dropped
            c.sendRawDatagram(io.netty.buffer.Unpooled.wrappedBuffer(
                    net.doublehop.protocol.masque.QuarterStreamId.encode(4000), new byte[] {0, 1, 2}));

            healthy.sendDatagram(bytes("still"));
            assertThat(text(healthy.nextDatagram(10_000))).isEqualTo("from=127.0.0.3 still");
        }
    }

    @Test
    void refusalsCarryProxyStatus() throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", port, true)) {
            Http3MasqueClient.Flow none = c.connectUdp("127.0.0.1:" + port, echoPath());
            assertThat(none.status()).isEqualTo(407);
            assertThat(none.header("proxy-status")).startsWith("proxy-b; error=http_request_denied");
            Http3MasqueClient.Flow elsewhere = c.connectUdp("127.0.0.1:" + port, "/somewhere/else",
                    "proxy-authorization", PSK);
            assertThat(elsewhere.status()).isEqualTo(404);
            Http3MasqueClient.Flow prohibited = c.connectUdp("127.0.0.1:" + port,
                    "/.well-known/masque/udp/10.1.2.3/53/", "proxy-authorization", PSK);
            assertThat(prohibited.status()).isEqualTo(502);
            assertThat(prohibited.header("proxy-status")).contains("error=destination_ip_prohibited");
            // an extended CONNECT for a protocol B does not serve
            Http3MasqueClient.Flow ws = c.open(new DefaultHttp3Headers().method("CONNECT").protocol("websocket")
                    .scheme("https").authority("127.0.0.1:" + port).path("/chat").add("proxy-authorization", PSK));
            assertThat(ws.status()).isEqualTo(501);
            assertThat(ws.header("proxy-status")).startsWith("proxy-b; error=http_request_error");
        }
    }

    @Test
    void metricsSayConnectUdpOverH3() throws Exception {
        try (Http3MasqueClient c = new Http3MasqueClient("127.0.0.1", port, true)) {
            Http3MasqueClient.Flow f = c.connectUdp("127.0.0.1:" + port, echoPath(), "proxy-authorization", PSK);
            f.sendDatagram(bytes("count me"));
            assertThat(f.nextDatagram(10_000)).isNotNull();
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fx.proxy.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("requests_total\\{[^}]*method=\"connect-udp\"[^}]*protocol=\"h3\"");
    }
}
