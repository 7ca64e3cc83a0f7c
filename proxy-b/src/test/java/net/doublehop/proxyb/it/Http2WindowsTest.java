package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The flow-control windows B's HTTP/2 listener grants, as Node's {@code http2} client sees them: 1 MiB per stream,
 * and a connection window of that times {@code limits.max-concurrent-streams}, so no stalled tunnel can starve the
 * others; never beyond the protocol's 2^31-1 (RFC 9113 §6.9.1).
 */
class Http2WindowsTest {

    private static final int MIB = 1024 * 1024;

    @Test
    void theConnectionWindowIsTheStreamWindowTimesTheStreams() throws Exception {
        try (ProxyBFixture fx = new ProxyBFixture("limits: {max-concurrent-streams: 100}\n")) {
            JsonNode w = windows(fx.port());
            assertThat(w.get("streamWindow").asLong()).isEqualTo(MIB);
            assertThat(w.get("maxConcurrentStreams").asLong()).isEqualTo(100);
            assertThat(w.get("connectionWindow").asLong()).isEqualTo(100L * MIB);
        }
    }

    @Test
    void theConnectionWindowStopsAtTheProtocolMaximum() throws Exception {
        try (ProxyBFixture fx = new ProxyBFixture("limits: {max-concurrent-streams: 5000}\n")) {
            JsonNode w = windows(fx.port());
            assertThat(w.get("maxConcurrentStreams").asLong()).isEqualTo(5000);
            assertThat(w.get("connectionWindow").asLong()).isEqualTo(Integer.MAX_VALUE);
        }
    }

    private static JsonNode windows(int port) throws Exception {
        return NodeScript.single("h2-windows.js", Integer.toString(port));
    }
}
