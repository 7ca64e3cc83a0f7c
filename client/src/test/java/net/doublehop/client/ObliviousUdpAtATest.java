package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.DoubleHopFixture;
import net.doublehop.proxyb.it.UdpEchoDestination;
import org.junit.jupiter.api.Test;

/**
 * Proxy A's oblivious CONNECT-UDP: a flow to a configured target's UDP port is relayed from A's own socket, whole
 * payloads, uninterpreted. A UDP echo stands in for B's QUIC port (listed in {@code oblivious.targets}), and the
 * client in forward mode sends the CONNECT-UDP (over HTTP/2, capsules) for it: the echo sees A's address.
 */
class ObliviousUdpAtATest {

    @Test
    void aRelaysDatagramsToAListedTargetFromItsOwnSocket() throws Exception {
        try (UdpEchoDestination echo = new UdpEchoDestination();
                DoubleHopFixture fx = new DoubleHopFixture("mode: oblivious\noblivious: {targets: [\"127.0.0.1:"
                        + echo.port() + "\"]}\n")) {
            LocalClient client = LocalClient.start(fx.vertx, ClientOptions.parse(new String[] {
                "--proxy-a", "https://127.0.0.1:" + fx.a.port(), "--insecure",
                "--user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD,
                "--socks", "127.0.0.1:0", "--http", "none"})).await(30, TimeUnit.SECONDS);
            try {
                assertThat(ForwardClientTest.udpRoundTrip(client.socksPort(), echo.port())).isEqualTo("from=127.0.0.1 ping");
                // any other UDP target is refused by A in oblivious mode: nothing comes back
                try (UdpEchoDestination other = new UdpEchoDestination()) {
                    assertThat(ForwardClientTest.udpRoundTrip(client.socksPort(), other.port(), 6)).isNull();
                }
            } finally {
                client.stop().await(10, TimeUnit.SECONDS);
            }
        }
    }
}
