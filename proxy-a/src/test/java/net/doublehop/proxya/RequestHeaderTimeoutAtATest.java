package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import net.doublehop.proxyb.it.RawProxyClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The slowloris probe of issue 16 at Proxy A, scaled down: TLS connections that each send
 * {@code CONNECT 127.0.0.1:1 HTTP/1.1\r\n} and then one header byte at a time are answered 408 and closed once
 * {@code limits.request-header-timeout} has passed (they used to be held for as long as bytes kept coming), while a
 * user who sends a whole request gets a tunnel meanwhile. The other HTTP versions: Proxy B's
 * RequestHeaderTimeoutTest (the listeners are shared).
 */
class RequestHeaderTimeoutAtATest {

    private static final int SLOW_CLIENTS = 50;
    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";

    private static DoubleHopFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture("limits: {request-header-timeout: 2s}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void tricklingClientsGet408AndAreClosedWhileAGoodUserGetsATunnel() throws Exception {
        List<RawProxyClient> slow = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                RawProxyClient c = new RawProxyClient(fx.a.port(), true);
                c.send("CONNECT 127.0.0.1:1 HTTP/1.1\r\n");
                slow.add(c);
            }
            Thread trickle = new Thread(() -> {
                try {
                    for (int round = 0; round < 100 && !Thread.currentThread().isInterrupted(); round++) {
                        for (RawProxyClient c : slow) {
                            try {
                                c.send("X");
                            } catch (IOException closed) {
                                // answered and closed: what the test waits for
                            }
                        }
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "trickle");
            trickle.setDaemon(true);
            trickle.start();

            try (RawProxyClient good = new RawProxyClient(fx.a.port(), true)) {
                good.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
                assertThat(good.readHead().status()).isEqualTo(200);
            }
            for (RawProxyClient c : slow) {
                RawProxyClient.Head h = c.readHead();
                assertThat(h.status()).isEqualTo(408);
                assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_request_error");
                assertThat(c.readToEnd()).isEmpty(); // closed (the read would time out after 15 s otherwise)
            }
            trickle.interrupt();
        } finally {
            for (RawProxyClient c : slow) {
                c.close();
            }
        }
    }
}
