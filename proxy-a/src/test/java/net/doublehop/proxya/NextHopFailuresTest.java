package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.FakeNextHop.Behaviour;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.proxyb.it.RawProxyClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What A does when B misbehaves on the HTTP/2 connection itself (a {@link FakeNextHop} in B's place, behind B's
 * certificate): silence is a 504 within the connect timeout and no stream left at B; a user leaving first resets
 * the stream at once; a stream B refused before answering (GOAWAY, REFUSED_STREAM) goes once more on a fresh
 * connection, and the user never notices.
 */
class NextHopFailuresTest {

    private static final String AUTH = "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
            (DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8));

    @Test
    void bThatNeverAnswersIs504AndTheStreamIsReset() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture();
                FakeNextHop b = new FakeNextHop(fx.dir.resolve("b.crt"), fx.dir.resolve("b.key"), Behaviour.SILENT)) {
            ProxyA a = startA(fx, b);
            try (RawProxyClient c = new RawProxyClient(a.port(), true)) {
                c.socket().setSoTimeout(8_000);
                long start = System.nanoTime();
                c.send("CONNECT example.test:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                RawProxyClient.Head h = c.readHead();
                assertThat(h.status()).as(h.headers().toString()).isEqualTo(504);
                assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_response_timeout");
                // the connect timeout (2 s), not some other bound
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(
                        Duration.ofMillis(1_500), Duration.ofSeconds(6));
            } finally {
                a.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
            }
            assertThat(b.requests.get()).isEqualTo(1);
            assertThat(b.authorities).containsExactly("example.test:443");
            await(() -> b.resetsFromA.get() == 1);
        }
    }

    /**
     * A B that accepts connections but answers late is not down (its answer waits for the destination's dial): late
     * answers never open the circuit breaker, whose threshold is 2 here; each user gets the 504, none a fast 503.
     */
    @Test
    void lateAnswersDoNotOpenTheCircuitBreaker() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture();
                FakeNextHop b = new FakeNextHop(fx.dir.resolve("b.crt"), fx.dir.resolve("b.key"), Behaviour.SILENT)) {
            ProxyA a = startA(fx, b, "  circuit-breaker: {failures: 2, cool-down: 30s}\n");
            try {
                for (int i = 0; i < 3; i++) {
                    try (RawProxyClient c = new RawProxyClient(a.port(), true)) {
                        c.socket().setSoTimeout(8_000);
                        c.send("CONNECT example.test:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                        RawProxyClient.Head h = c.readHead();
                        assertThat(h.status()).as(h.headers().toString()).isEqualTo(504);
                        assertThat(h.header("proxy-status")).startsWith("proxy-a; error=http_response_timeout");
                    }
                }
                assertThat(a.metrics().scrape()).contains("privacy_proxy_next_hop_circuit_state{hop=\"a\"} 0.0")
                        .doesNotContain("privacy_proxy_next_hop_circuit_opened_total");
            } finally {
                a.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
            }
            assertThat(b.requests.get()).isEqualTo(3);
        }
    }

    /** A user leaving while B works on its CONNECT: the stream to B is reset at once, not when the timeout strikes. */
    @Test
    void aUserLeavingBeforeTheAnswerResetsTheStreamAtOnce() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture();
                FakeNextHop b = new FakeNextHop(fx.dir.resolve("b.crt"), fx.dir.resolve("b.key"), Behaviour.SILENT)) {
            ProxyA a = startA(fx, b);
            try {
                RawProxyClient c = new RawProxyClient(a.port(), true);
                c.send("CONNECT example.test:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                await(() -> b.requests.get() == 1);
                long left = System.nanoTime();
                c.close();
                await(() -> b.resetsFromA.get() == 1);
                // well before the 2 s answer timeout
                assertThat(Duration.ofNanos(System.nanoTime() - left)).isLessThan(Duration.ofMillis(1_500));
            } finally {
                a.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * B resets a tunnel's stream (its destination went away): A ends the user's tunnel and does not answer the reset
     * with one of its own (RFC 9113 §5.4.2). Frames on the shared connection are ordered, so an answering reset
     * would reach B before the next tunnel's data does.
     */
    @Test
    void aStreamResetByBIsNotAnsweredWithAReset() throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture();
                FakeNextHop b = new FakeNextHop(fx.dir.resolve("b.crt"), fx.dir.resolve("b.key"),
                        Behaviour.ANSWER_THEN_RESET)) {
            ProxyA a = startA(fx, b);
            try {
                for (int i = 0; i < 2; i++) {
                    try (RawProxyClient c = new RawProxyClient(a.port(), true)) {
                        c.socket().setSoTimeout(8_000);
                        c.send("CONNECT example.test:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                        assertThat(c.readHead().status()).isEqualTo(200);
                        c.send("ping");
                        // B's reset ends the user's tunnel
                        assertThat(c.readToEnd()).isEmpty();
                    }
                }
                assertThat(b.connections()).isEqualTo(1);
                assertThat(b.rstFramesFromA).hasValue(0);
            } finally {
                a.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"GO_AWAY", "REFUSE_STREAM"})
    void aStreamRefusedBeforeTheAnswerIsRetriedOnAFreshConnection(Behaviour refusal) throws Exception {
        try (DoubleHopFixture fx = new DoubleHopFixture();
                FakeNextHop b = new FakeNextHop(fx.dir.resolve("b.crt"), fx.dir.resolve("b.key"), refusal,
                        Behaviour.ANSWER)) {
            ProxyA a = startA(fx, b);
            try (RawProxyClient c = new RawProxyClient(a.port(), true)) {
                c.socket().setSoTimeout(8_000);
                c.send("CONNECT [2001:db8::1]:80 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                RawProxyClient.Head h = c.readHead();
                assertThat(h.status()).as(h.headers().toString()).isEqualTo(200);
                c.send("ping");
                assertThat(new String(c.readBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
                assertThat(b.connections()).isEqualTo(2);
                // host and port, the IPv6 literal in brackets, both times
                assertThat(b.authorities).hasSize(2).allSatisfy(authority ->
                        assertThat(authority).matches("\\[2001:db8:[0:]*:?1\\]:80"));
                // later tunnels go to the connection that works
                try (RawProxyClient d = new RawProxyClient(a.port(), true)) {
                    d.socket().setSoTimeout(8_000);
                    d.send("CONNECT example.test:443 HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n\r\n");
                    assertThat(d.readHead().status()).isEqualTo(200);
                }
                assertThat(b.connections()).isEqualTo(2);
            } finally {
                a.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A in front of the fake B, with the fixture's users, signing key and trust. */
    private static ProxyA startA(DoubleHopFixture fx, FakeNextHop b) throws Exception {
        return startA(fx, b, "");
    }

    /** @param upstreamExtra more lines of the upstream section, indented by two spaces */
    private static ProxyA startA(DoubleHopFixture fx, FakeNextHop b, String upstreamExtra) throws Exception {
        return ProxyA.start(fx.vertx, ProxyAConfigLoader.parse("""
                listen: 127.0.0.1:0
                users: {file: users.txt}
                signing: {private-key: a-signing.pem, key-id: proxy-a-1}
                upstream:
                  url: https://127.0.0.1:%d
                  client-certificate: a-client.crt
                  client-key: a-client.key
                  trust: ca.crt
                  connect-timeout: 2s
                %s""".formatted(b.port(), upstreamExtra), fx.dir)).await(30, TimeUnit.SECONDS);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met in 5 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
