package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Oblivious mode enforces the user's own limits as forward mode does: with {@code limits.max-tunnels-per-user: 1},
 * a second tunnel to B while the first is open is refused with 429, and allowed again once the first closed.
 */
class ObliviousLimitsAtATest {

    @Test
    void aUserOverItsTunnelLimitIsRefusedWith429() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture("mode: oblivious\nlimits: {max-tunnels-per-user: 1}\n")) {
            // the first tunnel stays open: curl's telnet:// relays its stdin, which stays open until destroyed
            Process held = new ProcessBuilder("curl", "-sS", "-p", "-x", "https://127.0.0.1:" + fx.a.port(),
                    "--proxy-insecure", "--proxy-user", "alice:wonderland", "telnet://127.0.0.1:" + fx.bPort)
                    .redirectErrorStream(true).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (DoubleHopFixture.metric(fx.a.adminPort(), "privacy_proxy_tunnels_active") < 1
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(DoubleHopFixture.metric(fx.a.adminPort(), "privacy_proxy_tunnels_active")).isEqualTo(1.0);
                ForwardDoubleHopTest.Result second = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v", "-k",
                        "--proxy-user", "alice:wonderland", "https://127.0.0.1:" + fx.bPort + "/");
                assertThat(second.stderr()).contains("HTTP/1.1 429")
                        .containsPattern("(?i)proxy-status: proxy-a; error=connection_limit_reached");
            } finally {
                held.destroy();
                assertThat(held.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (DoubleHopFixture.metric(fx.a.adminPort(), "privacy_proxy_tunnels_active") > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            ForwardDoubleHopTest.Result again = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v", "-k",
                    "--proxy-user", "alice:wonderland", "https://127.0.0.1:" + fx.bPort + "/");
            assertThat(again.stderr()).containsPattern("(?i)HTTP/1.1 200");
        }
    }
}
