package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import org.junit.jupiter.api.Test;

/**
 * A retried request to B carries a fresh signature. B binds a signature's nonce to the connection that first
 * presented it (geohash.bind-nonce, on by default); when that connection dies after B read the request but before
 * its answer reached A, A retries on another connection, and the first signature there would be refused as
 * replayed (403). A second Proxy A reaches B through a TCP relay that, once armed, passes the next request to B,
 * waits for B's answer, drops it and cuts the connection: the user's CONNECT must still succeed, on the retry.
 */
class RetryResignsTest {

    @Test
    void aRetryAfterTheConnectionDiedIsSignedAnew() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture(); CuttingRelay relay = new CuttingRelay(fx.bPort)) {
            ProxyA a = ProxyA.start(fx.vertx, ProxyAConfigLoader.parse("""
                    listen: 127.0.0.1:0
                    admin: 127.0.0.1:0
                    users: {file: users.txt}
                    signing: {private-key: a-signing.pem, key-id: proxy-a-1, validity: 60s}
                    geolocation: {precision: 5}
                    upstream:
                      url: https://127.0.0.1:%d
                      client-certificate: a-client.crt
                      client-key: a-client.key
                      trust: ca.crt
                      connect-timeout: 5s
                    """.formatted(relay.port()), fx.dir)).await(30, TimeUnit.SECONDS);
            try {
                // a first tunnel: A's pooled connection to B, through the relay
                assertThat(curl(a, fx).stdout()).startsWith("seen-from=127.0.0.2 ");
                Thread.sleep(500); // the first tunnel's last frames pass before the relay is armed
                relay.armed = true;
                // the next request reaches B on that connection, B answers, the answer is lost with the connection
                ForwardDoubleHopTest.Result r = curl(a, fx);
                assertThat(relay.cut.await(0, TimeUnit.SECONDS)).as("the relay cut a connection mid-request").isTrue();
                assertThat(r.exit()).as(r.stderr()).isZero();
                assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
            } finally {
                a.stop(Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
            }
        }
    }

    /** From Tokyo (127.0.0.10): A signs a location, which B requires. */
    private static ForwardDoubleHopTest.Result curl(ProxyA a, DoubleHopFixture fx) throws Exception {
        return PrivacyAndResilienceTest.curlVia(a.port(), "--interface", "127.0.0.10", "--proxy-user",
                DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "http://" + fx.destination() + "/");
    }

    /**
     * A TCP relay to B. Armed, the next bytes A sends on an existing connection go to B; B's next bytes back (its
     * answer) are dropped and that connection is cut both ways. Connections made later pass untouched.
     */
    static final class CuttingRelay implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final int target;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        volatile boolean armed;
        final CountDownLatch cut = new CountDownLatch(1);

        CuttingRelay(int target) throws Exception {
            this.target = target;
            Thread accept = new Thread(this::accept, "cutting-relay");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket a = server.accept();
                    Socket b = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(a);
                    sockets.add(b);
                    boolean[] requestPassed = {false};
                    boolean cuttable = !armed; // only a connection that existed before arming is cut
                    pipe(a, b, () -> {
                        if (cuttable && armed) {
                            requestPassed[0] = true;
                        }
                        return false;
                    });
                    pipe(b, a, () -> {
                        if (cuttable && requestPassed[0] && cut.getCount() > 0) {
                            cut.countDown();
                            close(a);
                            close(b);
                            return true;
                        }
                        return false;
                    });
                }
            } catch (Exception closed) {
                // the test is over
            }
        }

        /** Copies {@code from} to {@code to}; {@code drop} says, before each chunk is passed on, to drop it. */
        private static void pipe(Socket from, Socket to, java.util.function.BooleanSupplier drop) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[16384];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        if (drop.getAsBoolean()) {
                            return;
                        }
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (Exception e) {
                    // either side closed
                } finally {
                    close(from);
                    close(to);
                }
            }, "cutting-relay-pipe");
            t.setDaemon(true);
            t.start();
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (Exception ignored) {
                // already closed
            }
        }

        @Override
        public void close() throws Exception {
            server.close();
            sockets.forEach(CuttingRelay::close);
        }
    }
}
