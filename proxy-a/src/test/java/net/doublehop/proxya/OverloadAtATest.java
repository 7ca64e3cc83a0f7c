package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import net.doublehop.proxyb.it.RawProxyClient;
import org.junit.jupiter.api.Test;

/**
 * Overload at A with real servers: the memory watermark refuses new tunnels while the heap is above it (open ones
 * keep running, new ones are admitted again once it drops), and the circuit breaker for B gives fast 503s while B
 * is black-holed, probes it once per cool-down, and closes when B is back.
 */
class OverloadAtATest {

    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
    private static final long MIB = 1 << 20;

    private static RawProxyClient connect(DoubleHopFixture fx) throws Exception {
        RawProxyClient c = new RawProxyClient(fx.a.port(), true);
        c.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
        return c;
    }

    /** One HTTP exchange with the destination through an open tunnel. */
    private static void get(RawProxyClient tunnel) throws Exception {
        tunnel.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        RawProxyClient.Head h = tunnel.readHead();
        assertThat(h.status()).isEqualTo(200);
        tunnel.readBytes(Integer.parseInt(h.header("content-length")));
    }

    private static double metric(DoubleHopFixture fx, String name) throws Exception {
        return DoubleHopFixture.metric(fx.a.adminPort(), name);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(50);
        }
    }

    /**
     * A listening socket on {@code port} once it is free: right after B's stop the bind failed once with "Address
     * already in use" (a clean-clone run at load ~15), so it is retried for a while instead of failing the test.
     */
    private static ServerSocket bindWhenFree(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                return new ServerSocket(port, 200, InetAddress.getByName("127.0.0.1"));
            } catch (java.net.BindException taken) {
                if (System.nanoTime() > deadline) {
                    throw taken;
                }
                Thread.sleep(50);
            }
        }
    }

    private static boolean metricIs(DoubleHopFixture fx, String name, double value) {
        try {
            return metric(fx, name) == value;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void memoryAboveTheWatermarkRefusesNewTunnelsWhileOpenOnesRunAndAdmitsAgainWhenItDrops() throws Exception {
        // The proxies run in this JVM: a watermark 256 MiB above the heap's live data now, then 512 MiB of ballast.
        System.gc();
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long max = heap.getMax();
        double watermark = (double) (heap.getUsed() + 256 * MIB) / max;
        assertThat(watermark).as("the test needs a heap of 1 GiB or more").isLessThan(0.75);
        try (DoubleHopFixture fx = new DoubleHopFixture(
                "limits: {memory-watermark: %.6f, tunnels-per-second-per-user: 1000}\n".formatted(watermark))) {
            // Starting the proxies made garbage; what counts is the live data.
            await("A's memory under its watermark", () -> {
                System.gc();
                return metricIs(fx, "privacy_proxy_memory_over_watermark", 0);
            });
            try (RawProxyClient open = connect(fx)) {
                assertThat(open.readHead().status()).isEqualTo(200);
                get(open);

                List<byte[]> ballast = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    ballast.add(new byte[(int) (8 * MIB)]);
                }
                await("A's memory over its watermark", () -> metricIs(fx, "privacy_proxy_memory_over_watermark", 1));
                try (RawProxyClient refused = connect(fx)) {
                    RawProxyClient.Head h = refused.readHead();
                    assertThat(h.status()).isEqualTo(503);
                    assertThat(h.header("proxy-status")).isEqualTo(
                            "proxy-a; error=connection_limit_reached; details=\"proxy memory above its watermark\"");
                    assertThat(h.header("retry-after")).isEqualTo("1");
                }
                get(open); // the tunnel admitted before keeps running
                assertThat(metric(fx, "privacy_proxy_overload_shed_total")).isGreaterThanOrEqualTo(1);
                assertThat(ballast).hasSize(64);

                ballast.clear();
                await("A's memory back under its watermark", () -> {
                    System.gc();
                    return metricIs(fx, "privacy_proxy_memory_over_watermark", 0);
                });
                try (RawProxyClient admitted = connect(fx)) {
                    assertThat(admitted.readHead().status()).isEqualTo(200);
                    get(admitted);
                }
                get(open);
            }
        }
    }

    @Test
    void aBlackHoledBOpensTheCircuitBreakerAndBsReturnClosesIt() throws Exception {
        // The fixture's upstream: connect-timeout 2s; these lines continue its upstream section.
        try (DoubleHopFixture fx = new DoubleHopFixture("""
                  circuit-breaker: {failures: 2, cool-down: 6s}
                limits: {tunnels-per-second-per-user: 1000}
                """)) {
            // B works (a cold B on a loaded machine may answer its very first CONNECT after the 2 s timeout)
            await("a tunnel through B", () -> {
                try (RawProxyClient ok = connect(fx)) {
                    return ok.readHead().status() == 200;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(metric(fx, "privacy_proxy_next_hop_circuit_state")).isZero();

            int bPort = fx.bPort;
            fx.stopB();
            AtomicInteger dials = new AtomicInteger();
            List<Socket> held = new ArrayList<>();
            // B black-holed: its port accepts TCP and never answers the TLS handshake.
            try (ServerSocket silent = bindWhenFree(bPort)) {
                Thread acceptor = new Thread(() -> {
                    while (!silent.isClosed()) {
                        try {
                            Socket s = silent.accept();
                            dials.incrementAndGet();
                            synchronized (held) {
                                held.add(s);
                            }
                        } catch (Exception closed) {
                            return;
                        }
                    }
                }, "silent-b");
                acceptor.setDaemon(true);
                acceptor.start();

                for (int i = 0; i < 2; i++) { // the threshold: each waits for the connection attempt to fail
                    try (RawProxyClient c = connect(fx)) {
                        RawProxyClient.Head h = c.readHead();
                        assertThat(h.status()).isIn(503, 504);
                        assertThat(h.header("proxy-status")).doesNotContain("circuit breaker open");
                    }
                }
                assertThat(metric(fx, "privacy_proxy_next_hop_circuit_state")).as("open").isEqualTo(1);
                assertThat(metric(fx, "privacy_proxy_next_hop_circuit_opened_total")).isEqualTo(1);
                long openedAt = System.nanoTime();
                int dialsWhenOpened = dials.get();
                // Within the cool-down (6 s; 4 s leave room for a slow machine): fast refusals, no dial to B.
                int refusedFast = 0;
                for (; refusedFast < 10 && System.nanoTime() - openedAt < TimeUnit.SECONDS.toNanos(4); refusedFast++) {
                    try (RawProxyClient c = connect(fx)) {
                        RawProxyClient.Head h = c.readHead();
                        assertThat(h.status()).isEqualTo(503);
                        assertThat(h.header("proxy-status")).isEqualTo("proxy-a; error=destination_unavailable; "
                                + "details=\"next hop failing: circuit breaker open\"");
                        assertThat(Long.parseLong(h.header("retry-after"))).isBetween(1L, 6L);
                    }
                }
                assertThat(refusedFast).isPositive();
                assertThat(dials.get()).as("no dial to B while the breaker is open").isEqualTo(dialsWhenOpened);

                // After the cool-down: one probe (it waits, B being still silent) while the others get the fast 503.
                Thread.sleep(Math.max(0, TimeUnit.SECONDS.toMillis(6) + 100
                        - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt))); // the rest of the cool-down
                CompletableFuture<RawProxyClient.Head> probe = CompletableFuture.supplyAsync(() -> {
                    try (RawProxyClient c = connect(fx)) {
                        return c.readHead();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                await("the probe under way", () -> metricIs(fx, "privacy_proxy_next_hop_circuit_state", 2));
                try (RawProxyClient c = connect(fx)) {
                    RawProxyClient.Head h = c.readHead();
                    assertThat(h.status()).isEqualTo(503);
                    assertThat(h.header("proxy-status")).as("not the probe").contains("circuit breaker open");
                }
                RawProxyClient.Head probed = probe.get(20, TimeUnit.SECONDS);
                assertThat(probed.status()).as("the probe, B still silent").isIn(503, 504);
                assertThat(probed.header("proxy-status")).doesNotContain("circuit breaker open");
                assertThat(metric(fx, "privacy_proxy_next_hop_circuit_opened_total")).as("open again").isEqualTo(2);
            } finally {
                synchronized (held) {
                    for (Socket s : held) {
                        s.close();
                    }
                }
            }

            fx.startB(bPort);
            await("a tunnel through B after its return", () -> {
                try (RawProxyClient c = connect(fx)) {
                    return c.readHead().status() == 200;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(metric(fx, "privacy_proxy_next_hop_circuit_state")).as("closed").isZero();
        }
    }
}
