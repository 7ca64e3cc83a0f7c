package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A named port is served by several listener instances (one per event loop, SO_REUSEPORT), as in production:
 * both bind, every connection is served whichever instance the kernel gives it to, and a graceful stop closes
 * the port on all of them.
 */
class ListenerInstancesTest {

    private static final String AUTH = "Proxy-Authorization: Preshared " + ProxyBFixture.PSK;

    @ParameterizedTest(name = "native transport: {0}")
    @ValueSource(booleans = {false, true})
    void severalInstancesShareANamedPort(boolean nativeTransport) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort();
        }
        ProxyBFixture fx = new ProxyBFixture(ProxyBFixture.BASE_YAML.replace("listen: 127.0.0.1:0",
                "listen: 127.0.0.1:" + port), "", nativeTransport); // the fixture starts two instances
        try {
            assertThat(fx.vertx.isNativeTransportEnabled()).isEqualTo(nativeTransport);
            assertThat(fx.port()).isEqualTo(port);
            List<RawProxyClient> tunnels = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                RawProxyClient c = new RawProxyClient(port, true);
                tunnels.add(c);
                c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                assertThat(c.readHead().status()).isEqualTo(200);
                c.send("n" + i);
                assertThat(new String(c.readBytes(2))).isEqualTo("n" + i);
            }
            for (RawProxyClient c : tunnels) {
                c.close();
            }
            List<JsonNode> h2 = NodeHttp2ThroughProxyBTest.node(port, "https", fx.destHttp(), 4, "http",
                    "proxy-authorization: Preshared " + ProxyBFixture.PSK);
            assertThat(h2).hasSize(4).allSatisfy(j -> assertThat(j.get("status").asInt()).isEqualTo(200));

            fx.proxy.stop(Duration.ofSeconds(1)).await(10, TimeUnit.SECONDS);
            for (int i = 0; i < 4; i++) {
                assertThatThrownBy(() -> new RawProxyClient(port, true)).isInstanceOf(IOException.class);
            }
        } finally {
            fx.close();
        }
    }
}
