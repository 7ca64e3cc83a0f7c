package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every bad input of the Proxy B issue, sent as exact bytes over TLS: each must get its status and
 * Proxy-Status, and the proxy must still serve a good tunnel afterwards.
 */
class BadInputTest {

    private static final String AUTH = "Proxy-Authorization: Preshared " + ProxyBFixture.PSK + "\r\n";

    private static ProxyBFixture fx;
    private static DatagramSocket silentDns;

    @BeforeAll
    static void start() throws Exception {
        silentDns = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Path hosts = Files.createTempFile("hosts", ".txt");
        Files.writeString(hosts, "10.0.0.1 internal.test\n127.0.0.1 dest.test\n");
        fx = new ProxyBFixture("""
                dns:
                  servers: ["127.0.0.1:%d"]
                  timeout: 1s
                  hosts-file: %s
                limits:
                  connect-timeout: 1s
                  max-header-size: 4096
                """.formatted(silentDns.getLocalPort(), hosts));
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
        silentDns.close();
    }

    private static RawProxyClient.Head exchange(String raw) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send(raw);
            return c.readHead();
        }
    }

    private static void assertStillServes() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: " + fx.destEcho() + "\r\n" + AUTH + "\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
            c.send("ping");
            assertThat(new String(c.readBytes(4))).isEqualTo("ping");
        }
    }

    @ParameterizedTest(name = "CONNECT {0} -> 400")
    @ValueSource(strings = {
        "example.com",             // no port
        "example.com:",            // empty port
        "example.com:0",           // port 0
        "example.com:65536",       // port too large
        "example.com:99999999999", // port overflow
        "user@example.com:443",    // userinfo
        "user:pw@127.0.0.1:80",    // userinfo with password
        "[fe80::1%25eth0]:443",    // IPv6 zone id
        "2001:db8::1:443",         // IPv6 without brackets
        ":443",                    // empty host
        "example.com:+443",        // signed port
    })
    void malformedTargetsAre400(String target) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + target + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).isEqualTo(400);
        assertThat(h.header("proxy-status")).startsWith("proxy-b; error=http_request_error");
        assertThat(h.header("server-timing")).startsWith("proxy;dur=");
        assertStillServes();
    }

    /**
     * B's own listener (127.0.0.1 is allowed as a destination here, as an operator's allow list might): a loop, refused
     * with RFC 9209's proxy_loop_detected rather than dialled, by address and by a name or a wildcard reaching it.
     */
    @ParameterizedTest(name = "CONNECT to B's own {0} port -> 502 proxy_loop_detected")
    @CsvSource({"proxy, 127.0.0.1", "admin, 127.0.0.1", "proxy, dest.test", "proxy, 0.0.0.0"})
    void connectToItselfIsALoop(String which, String host) throws Exception {
        int port = which.equals("proxy") ? fx.port() : fx.proxy.adminPort();
        String target = host + ":" + port;
        RawProxyClient.Head h = exchange("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n" + AUTH
                + "\r\n");
        assertThat(h.status()).isEqualTo(502);
        assertThat(h.header("proxy-status")).startsWith("proxy-b; error=proxy_loop_detected");
        assertStillServes();
    }

    @Test
    void spaceInTargetIs400() throws Exception {
        RawProxyClient.Head h = exchange("CONNECT exa mple.com:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).isEqualTo(400);
        assertThat(h.header("proxy-status")).contains("error=http_request_error");
        assertStillServes();
    }

    @ParameterizedTest(name = "{0} -> 405")
    @ValueSource(strings = {"GET", "POST", "PUT", "DELETE", "OPTIONS"})
    void nonConnectMethodsAre405(String method) throws Exception {
        RawProxyClient.Head h = exchange(method + " http://" + fx.destHttp() + "/ HTTP/1.1\r\nHost: "
                + fx.destHttp() + "\r\n" + AUTH + "Content-Length: 0\r\n\r\n");
        assertThat(h.status()).isEqualTo(405);
        assertThat(h.header("allow")).isEqualTo("CONNECT");
        assertThat(h.header("proxy-status")).contains("error=http_request_error");
        assertStillServes();
    }

    @ParameterizedTest(name = "sec-ch-geohash: {0} -> 400")
    @ValueSource(strings = {
        "xn76c",            // no country
        "xn76c-XX",         // not an assigned country code
        "xn76c-jp",         // lower-case country
        "XN76C-JP",         // upper-case geohash
        "xn7ai-JP",         // 'a' and 'i' are not in the geohash alphabet
        "xn76cxn76cxn7-JP", // 13 characters: beyond geohash precision
        "-JP",              // empty geohash
        "xn76c-JP-GB",      // two countries
    })
    void malformedGeohashIs400(String value) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "sec-ch-geohash: " + value + "\r\n\r\n");
        assertThat(h.status()).isEqualTo(400);
        assertThat(h.header("proxy-status")).contains("error=http_request_error").contains("sec-ch-geohash");
        assertStillServes();
    }

    @Test
    void oversizedHeadersAre431() throws Exception {
        String big = "x".repeat(8000);
        RawProxyClient.Head h = exchange("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n" + AUTH
                + "X-Big: " + big + "\r\n\r\n");
        assertThat(h.status()).isEqualTo(431);
        assertThat(h.header("proxy-status")).contains("error=http_request_error");
        assertThat(h.header("server-timing")).startsWith("proxy;dur=");
        assertStillServes();
    }

    @ParameterizedTest(name = "CONNECT {0} -> 502 destination_ip_prohibited")
    @ValueSource(strings = {
        "10.0.0.1:80", "192.168.1.1:443", "172.16.0.1:22", "169.254.169.254:80", "127.0.0.5:80", "[::1]:80",
        "[fe80::1]:80", "[fd00:ec2::254]:80", "0.0.0.0:80", "[::ffff:10.0.0.1]:80", "internal.test:80",
    })
    void refusedRangesAre502(String target) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + target + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).isEqualTo(502);
        assertThat(h.header("proxy-status")).contains("error=destination_ip_prohibited");
        assertStillServes();
    }

    @Test
    void allowListedNameResolvesAndConnects() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT dest.test:" + fx.destination.echoPort() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
            c.send("hello");
            assertThat(new String(c.readBytes(5))).isEqualTo("hello");
        }
    }

    @Test
    void closedPortIs502ConnectionRefused() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        RawProxyClient.Head h = exchange("CONNECT 127.0.0.1:" + closed + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).isEqualTo(502);
        assertThat(h.header("proxy-status")).contains("error=connection_refused");
        assertStillServes();
    }

    /** A listener whose accept queue is full drops SYNs, so the connect attempt hangs until our timeout. */
    @Test
    void slowDestinationIs504() throws Exception {
        try (StallingDestinations.FullAcceptQueue slow = new StallingDestinations.FullAcceptQueue()) {
            RawProxyClient.Head h = exchange("CONNECT 127.0.0.1:" + slow.port() + " HTTP/1.1\r\nHost: x\r\n"
                    + AUTH + "\r\n");
            assertThat(h.status()).isEqualTo(504);
            assertThat(h.header("proxy-status")).contains("error=connection_timeout");
        }
        assertStillServes();
    }

    @Test
    void unansweredDnsIs504DnsTimeout() throws Exception {
        RawProxyClient.Head h = exchange("CONNECT nowhere.invalid:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        assertThat(h.status()).isEqualTo(504);
        assertThat(h.header("proxy-status")).contains("error=dns_timeout");
        assertStillServes();
    }

    @ParameterizedTest(name = "credential {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "none|407",
        "Proxy-Authorization: Preshared not-the-right-key|403",
        "Proxy-Authorization: Basic dXNlcjpwYXNz|403",
        "Proxy-Authorization: PrivateToken token=abc|403",
        "Proxy-Authorization: Preshared|400",
        "Proxy-Authorization: preshared " + ProxyBFixture.PSK + "|200",
    })
    void credentials(String header, int status) throws Exception {
        RawProxyClient.Head h = exchange("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n"
                + (header == null ? "" : header + "\r\n") + "\r\n");
        assertThat(h.status()).isEqualTo(status);
        if (status == 407) {
            assertThat(h.header("proxy-authenticate")).startsWith("Preshared");
        }
    }

    /**
     * A client that opens a tunnel and never reads: the destination can only push what the buffers
     * between them hold, because the relay stops reading when the client side's queue is full.
     */
    @Test
    void clientThatNeverReadsHoldsBoundedMemory() throws Exception {
        try (StallingDestinations.Firehose firehose = new StallingDestinations.Firehose(fx.vertx);
                RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.socket().setReceiveBufferSize(64 * 1024);
            c.send("CONNECT 127.0.0.1:" + firehose.port() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
            firehose.assertBackpressureHolds();
        }
        assertStillServes();
    }
}
