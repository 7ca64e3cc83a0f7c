package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Rapid Reset defence (CVE-2023-44487) on B's HTTP/2 listener, driven by Node's {@code http2} client, and on its
 * HTTP/3 listener, driven by Netty's QUIC client: streams
 * reset before their answer count against {@code limits.max-stream-resets-per-30s}; resets of answered tunnels,
 * which Proxy A sends for every user who leaves, do not.
 */
class RapidResetTest {

    private static final int LIMIT = 20;
    private static final int ENHANCE_YOUR_CALM = 0xb;
    private static final String PSK = "Preshared " + ProxyBFixture.PSK;
    private static ProxyBFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = ProxyBFixture.withHttp3("limits: {max-stream-resets-per-30s: " + LIMIT + "}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void resetsOfAnsweredTunnelsNeverCostTheConnection() throws Exception {
        JsonNode r = node("answered", 3 * LIMIT);
        assertThat(r.get("answered").asInt()).isEqualTo(3 * LIMIT);
        assertThat(r.get("goaway").isNull()).as(r.toString()).isTrue();
        assertThat(r.get("finalStatus").asInt()).as(r.toString()).isEqualTo(200);
    }

    @Test
    void resetsBeforeTheAnswerBeyondTheLimitGetGoAway() throws Exception {
        JsonNode r = node("early", 3 * LIMIT);
        assertThat(r.get("goaway").asInt()).as(r.toString()).isEqualTo(ENHANCE_YOUR_CALM);
        assertThat(r.get("finalStatus").asInt()).as(r.toString()).isZero();
        // the proxy serves the next connection as before
        assertThat(node("answered", 1).get("finalStatus").asInt()).isEqualTo(200);
    }

    @Test
    void http3ResetsOfAnsweredTunnelsNeverCostTheConnection() throws Exception {
        try (Http3MasqueClient h3 = new Http3MasqueClient("127.0.0.1", fx.port(), false)) {
            for (int i = 0; i < 3 * LIMIT; i++) {
                Http3MasqueClient.Flow flow = h3.connect(fx.destEcho(), "proxy-authorization", PSK);
                assertThat(flow.status()).isEqualTo(200);
                flow.reset();
            }
            Thread.sleep(200);
            assertThat(h3.isOpen()).isTrue();
            assertThat(h3.connect(fx.destEcho(), "proxy-authorization", PSK).status()).isEqualTo(200);
        }
    }

    @Test
    void http3ResetsBeforeTheAnswerBeyondTheLimitCloseTheConnection() throws Exception {
        try (Http3MasqueClient h3 = new Http3MasqueClient("127.0.0.1", fx.port(), false)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int sent = 0;
            while (h3.isOpen() && sent < 10 * LIMIT && System.nanoTime() < deadline) {
                if (!h3.connectAndReset(fx.destEcho(), "proxy-authorization", PSK)) {
                    break; // cut off between isOpen and the write
                }
                sent++;
            }
            // The proxy's answer, the close, may come well after the last reset when the machine is loaded (it
            // reads them in turn): wait for it, bounded.
            long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (h3.isOpen() && System.nanoTime() < closeDeadline) {
                Thread.sleep(20);
            }
            assertThat(h3.isOpen()).as("connection open after %d early resets", sent).isFalse();
            assertThat(sent).isGreaterThan(LIMIT);
        }
        try (Http3MasqueClient h3 = new Http3MasqueClient("127.0.0.1", fx.port(), false)) {
            assertThat(h3.connect(fx.destEcho(), "proxy-authorization", PSK).status()).isEqualTo(200);
        }
    }

    private static JsonNode node(String mode, int count) throws Exception {
        return NodeScript.single("h2-resets.js", Integer.toString(fx.port()), fx.destEcho(),
                Integer.toString(count), mode, "proxy-authorization: Preshared " + ProxyBFixture.PSK);
    }
}
