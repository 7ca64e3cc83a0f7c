package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.doublehop.proxyb.it.RawProxyClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code limits.max-tunnels} at A: tunnels beyond it are refused with 503 and a slot comes back when one ends. */
class TunnelLimitsAtATest {

    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";

    private static DoubleHopFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture("limits: {max-tunnels: 2, tunnels-per-second-per-user: 1000}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static RawProxyClient connect() throws Exception {
        RawProxyClient c = new RawProxyClient(fx.a.port(), true);
        c.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        return c;
    }

    @Test
    void tunnelsBeyondMaxTunnelsGet503UntilOneEnds() throws Exception {
        try (RawProxyClient first = connect(); RawProxyClient second = connect()) {
            assertThat(first.readHead().status()).isEqualTo(200);
            assertThat(second.readHead().status()).isEqualTo(200);
            try (RawProxyClient third = connect()) {
                RawProxyClient.Head refused = third.readHead();
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("proxy-status"))
                        .startsWith("proxy-a; error=connection_limit_reached");
                assertThat(refused.header("retry-after")).isEqualTo("1");
            }
            first.close(); // its tunnel ends, and its slot comes back
            long deadline = System.nanoTime() + 5_000_000_000L;
            int status;
            do {
                try (RawProxyClient again = connect()) {
                    status = again.readHead().status();
                }
            } while (status != 200 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(200);
        }
    }
}
