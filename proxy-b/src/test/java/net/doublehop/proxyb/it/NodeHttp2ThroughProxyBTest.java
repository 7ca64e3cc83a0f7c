package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Node's built-in {@code http2} client sends CONNECT over HTTP/2 (ALPN h2) through a real Proxy B. */
class NodeHttp2ThroughProxyBTest {

    private static ProxyBFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new ProxyBFixture("");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void tokyoGeohashEgressesFromTokyoOverH2() throws Exception {
        List<JsonNode> results = node(fx.destHttp(), 1, "http", "proxy-authorization: Preshared " + ProxyBFixture.PSK,
                "sec-ch-geohash: xn76c-JP");
        assertThat(results).hasSize(1);
        JsonNode r = results.get(0);
        assertThat(r.get("status").asInt()).isEqualTo(200);
        assertThat(r.get("serverTiming").asText()).startsWith("proxy;dur=");
        assertThat(r.get("body").asText()).contains("HTTP/1.1 200").contains("seen-from=127.0.0.2 ");
    }

    @Test
    void manyStreamsShareOneConnection() throws Exception {
        List<JsonNode> results = node(fx.destHttp(), 50, "http", "proxy-authorization: Preshared " + ProxyBFixture.PSK,
                "sec-ch-geohash: gcpvj-GB");
        assertThat(results).hasSize(50);
        for (JsonNode r : results) {
            assertThat(r.get("status").asInt()).isEqualTo(200);
            assertThat(r.get("body").asText()).contains("seen-from=127.0.0.3 ");
        }
    }

    @Test
    void missingCredentialsOverH2Get407() throws Exception {
        List<JsonNode> results = node(fx.destHttp(), 1, "http");
        assertThat(results.get(0).get("status").asInt()).isEqualTo(407);
        assertThat(results.get(0).get("proxyStatus").asText()).isEqualTo(
                "proxy-b; error=http_request_denied; details=\"proxy authentication required\"");
    }

    @Test
    void refusedDestinationOverH2() throws Exception {
        List<JsonNode> results = node("10.1.2.3:443", 1, "http", "proxy-authorization: Preshared " + ProxyBFixture.PSK);
        assertThat(results.get(0).get("status").asInt()).isEqualTo(502);
        assertThat(results.get(0).get("proxyStatus").asText()).contains("error=destination_ip_prohibited");
    }

    @Test
    void halfCloseFromTheClientStillGetsTheAnswer() throws Exception {
        List<JsonNode> results = node("127.0.0.1:" + fx.destination.halfClosePort(), 3, "halfclose",
                "proxy-authorization: Preshared " + ProxyBFixture.PSK);
        assertThat(results).hasSize(3);
        for (JsonNode r : results) {
            assertThat(r.get("status").asInt()).isEqualTo(200);
            assertThat(r.get("body").asText()).isEqualTo("received=100000\n");
        }
    }

    /**
     * The destination writes 8 MiB and closes at once while the client is not reading: Proxy B must stop
     * reading the destination (backpressure) and still deliver every byte, then END_STREAM.
     */
    @Test
    void aDestinationThatClosesRightAfterWritingLosesNothing() throws Exception {
        List<JsonNode> results = node(fx.destination.burst.authority(), 3, "drain",
                "proxy-authorization: Preshared " + ProxyBFixture.PSK);
        assertThat(results).hasSize(3);
        for (JsonNode r : results) {
            assertThat(r.get("status").asInt()).isEqualTo(200);
            assertThat(r.get("body").asText()).isEqualTo(Integer.toString(BurstDestination.BYTES));
            assertThat(r.get("patternOk").asBoolean()).isTrue();
        }
    }

    static List<JsonNode> node(String target, int count, String mode, String... headers)
            throws IOException, InterruptedException {
        return node(fx.port(), "https", target, count, mode, headers);
    }

    static List<JsonNode> node(int port, String scheme, String target, int count, String mode, String... headers)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(Integer.toString(port), target, Integer.toString(count), mode));
        args.addAll(List.of(headers));
        return NodeScript.run("h2-connect.js", Map.of("PROXY_SCHEME", scheme), args.toArray(String[]::new));
    }
}
