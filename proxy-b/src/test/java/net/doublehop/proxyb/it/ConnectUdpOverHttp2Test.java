package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CONNECT-UDP over HTTP/2 (RFC 9298 §3.3): extended CONNECT (RFC 8441, {@code :protocol connect-udp}) from Node's
 * built-in {@code http2} client, which sends it only after Proxy B's SETTINGS enable it, DATAGRAM capsules
 * (RFC 9297) on the stream both ways, egress from the geohash's pool, the refusals, and a malformed capsule that
 * ends its own stream only.
 */
class ConnectUdpOverHttp2Test {

    private static final String AUTH = "proxy-authorization: Preshared " + ProxyBFixture.PSK;

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

    private static String echoPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/";
    }

    @Test
    void datagramsFlowBothWaysFromTheGeohashPool() throws Exception {
        JsonNode r = node(echoPath(), "echo", "hello", AUTH, "sec-ch-geohash: xn76c-JP").get(0);
        assertThat(r.get("status").asInt()).isEqualTo(200);
        assertThat(r.get("capsuleProtocol").asText()).isEqualTo("?1");
        assertThat(r.get("serverTiming").asText()).startsWith("proxy;dur=");
        assertThat(r.get("replies").get(0).asText()).isEqualTo("from=127.0.0.2 hello");
    }

    @Test
    void withoutGeohashTheDefaultPool() throws Exception {
        JsonNode r = node(echoPath(), "echo", "x", AUTH).get(0);
        assertThat(r.get("status").asInt()).isEqualTo(200);
        assertThat(r.get("replies").get(0).asText()).isEqualTo("from=127.0.0.3 x");
    }

    @Test
    void missingCredentialsGet407() throws Exception {
        JsonNode r = node(echoPath(), "refused", "-").get(0);
        assertThat(r.get("status").asInt()).isEqualTo(407);
        assertThat(r.get("proxyStatus").asText()).startsWith("proxy-b; error=http_request_denied");
    }

    @Test
    void aPathOutsideTheTemplateIs404() throws Exception {
        JsonNode r = node("/somewhere/else", "refused", "-", AUTH).get(0);
        assertThat(r.get("status").asInt()).isEqualTo(404);
        assertThat(r.get("proxyStatus").asText()).startsWith("proxy-b; error=http_request_error");
    }

    @Test
    void aRefusedDestinationIs502() throws Exception {
        JsonNode r = node("/.well-known/masque/udp/10.1.2.3/53/", "refused", "-", AUTH).get(0);
        assertThat(r.get("status").asInt()).isEqualTo(502);
        assertThat(r.get("proxyStatus").asText()).contains("error=destination_ip_prohibited");
    }

    @Test
    void aMalformedCapsuleEndsItsStreamOnly() throws Exception {
        List<JsonNode> r = node(echoPath(), "malformed", "still", AUTH);
        assertThat(r).hasSize(2);
        JsonNode bad = r.get(0);
        assertThat(bad.get("status").asInt()).isEqualTo(200);
        assertThat(bad.get("ended").asBoolean() || bad.get("rstCode").asInt() != 0).as(bad.toString()).isTrue();
        // the same connection serves on
        JsonNode good = r.get(1);
        assertThat(good.get("status").asInt()).isEqualTo(200);
        assertThat(good.get("replies").get(0).asText()).isEqualTo("from=127.0.0.3 still");
    }

    private static List<JsonNode> node(String path, String mode, String payload, String... headers)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(Integer.toString(fx.port()), path, mode, payload));
        args.addAll(List.of(headers));
        return NodeScript.run("h2-connect-udp.js", args.toArray(String[]::new));
    }
}
