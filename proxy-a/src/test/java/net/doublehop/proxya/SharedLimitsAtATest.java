package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.runtime.store.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Proxy A instances sharing one real redis-server ({@code store.redis}): {@code limits.max-tunnels-per-user} holds
 * for the user over both, so a user at the limit on one instance is refused (429) at the other until a tunnel ends.
 */
class SharedLimitsAtATest {

    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";

    private static RedisServer redis;
    private static DoubleHopFixture one;
    private static DoubleHopFixture two;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        String yaml = "limits: {max-tunnels-per-user: 1, tunnels-per-second-per-user: 1000}\nstore: {redis: \""
                + redis.uri() + "\", timeout: 10s}\n";
        one = new DoubleHopFixture(yaml);
        two = new DoubleHopFixture(yaml);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            one.close();
            two.close();
        } finally {
            redis.close();
        }
    }

    private static RawProxyClient connect(DoubleHopFixture fx) throws Exception {
        RawProxyClient c = new RawProxyClient(fx.a.port(), true);
        c.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        return c;
    }

    @Test
    void aUserAtTheLimitOnOneInstanceIsRefusedAtTheOther() throws Exception {
        try (RawProxyClient first = connect(one)) {
            assertThat(first.readHead().status()).isEqualTo(200);
            try (RawProxyClient second = connect(two)) {
                RawProxyClient.Head refused = second.readHead();
                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.header("proxy-status")).contains("connection_limit_reached")
                        .contains("tunnel limit");
            }
            first.close(); // the tunnel at the first instance ends; its slot comes back for the pair
            long deadline = System.nanoTime() + 10_000_000_000L;
            int status;
            do {
                try (RawProxyClient again = connect(two)) {
                    status = again.readHead().status();
                }
            } while (status != 200 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(200);
        }
    }
}
