package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.request-header-timeout} on every HTTP version of the shared listeners, with clients that keep bytes
 * flowing (so the idle timeout never fires) but never complete a request header section: HTTP/1.1 over TLS
 * trickling header bytes, HTTP/2 with a header block that never ends, HTTP/2 and HTTP/3 connections
 * that never send a request, an HTTP/3 request stream whose HEADERS frame is cut short. And what the deadline must
 * leave alone: tunnels and connections that delivered their request in time.
 */
class RequestHeaderTimeoutTest {

    private static final String AUTH = "Proxy-Authorization: Preshared " + ProxyBFixture.PSK + "\r\n";

    private static ProxyBFixture fx;

    @BeforeAll
    static void start() throws Exception {
        // the idle timeout far beyond the deadline: only the deadline can close these connections
        fx = ProxyBFixture.withHttp3("limits: {request-header-timeout: 2s, idle-timeout: 5m}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    /** Writes {@code chunk} every 200 ms until the connection refuses it or 20 s passed. */
    private static Thread trickle(RawProxyClient c, byte[] chunk) {
        Thread t = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            try {
                while (System.nanoTime() < end) {
                    c.sendBytes(chunk);
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                // the proxy closed the connection: what the test waits for
            }
        }, "trickle");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Test
    void http1TrickledHeaderGets408ThenClose() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT 127.0.0.1:1 HTTP/1.1\r\n"); // the held-out probe: then one header byte at a time
            Thread t = trickle(c, "X".getBytes(StandardCharsets.US_ASCII));
            RawProxyClient.Head h = c.readHead();
            assertThat(h.status()).isEqualTo(408);
            assertThat(h.header("proxy-status")).startsWith("proxy-b; error=http_request_error")
                    .contains("request header not complete in time");
            assertThat(h.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.readToEnd()).isEmpty(); // closed, no more bytes (readToEnd would time out at 15 s)
            t.interrupt();
        }
    }

    @Test
    void http1SilentConnectionGets408ThenClose() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            assertThat(c.readHead().status()).isEqualTo(408);
            assertThat(c.readToEnd()).isEmpty();
        }
    }

    /** After an answer the next request has its own deadline; it then closes without a 408. */
    @Test
    void http1NextRequestAfterARefusalHasItsOwnDeadline() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readHead().status()).isEqualTo(407);
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\n");
            Thread t = trickle(c, "X".getBytes(StandardCharsets.US_ASCII));
            assertThat(c.readToEnd()).isEmpty();
            t.interrupt();
        }
    }

    @Test
    void http1TunnelOutlivesTheDeadline() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n" + AUTH + "\r\n");
            assertThat(c.readHead().status()).isEqualTo(200);
            Thread.sleep(4_000); // twice the deadline
            c.send("ping");
            assertThat(new String(c.readBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
        }
    }

    /**
     * A header block that never ends: HEADERS without END_HEADERS, then a CONTINUATION frame whose payload comes one
     * byte at a time. (Many small CONTINUATION frames Netty's codec ends by itself, after 16; one frame trickled,
     * or a few with long pauses, only this deadline ends.)
     */
    @Test
    void http2HeaderBlockThatNeverEndsGetsGoAwayAndClose() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true, null, "h2")) {
            c.sendBytes(RawHttp2.preface());
            c.sendBytes(RawHttp2.frame(RawHttp2.HEADERS, 0, 1, RawHttp2.literal(":method", "CONNECT")));
            byte[] continuation = RawHttp2.frame(RawHttp2.CONTINUATION, 0, 1, new byte[4000]);
            c.sendBytes(java.util.Arrays.copyOf(continuation, 9)); // its frame header; the payload trickles
            Thread t = trickle(c, new byte[] {0x00});
            List<Integer> types = RawHttp2.readFramesToEnd(c);
            assertThat(types).contains(RawHttp2.GOAWAY);
            t.interrupt();
        }
    }

    /** The same with the request's first frame itself trickled: a HEADERS frame announcing 4000 bytes. */
    @Test
    void http2TrickledHeadersFrameGetsGoAwayAndClose() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true, null, "h2")) {
            c.sendBytes(RawHttp2.preface());
            c.sendBytes(java.util.Arrays.copyOf(RawHttp2.frame(RawHttp2.HEADERS, 0x4, 1, new byte[4000]), 9));
            Thread t = trickle(c, new byte[] {0x00});
            List<Integer> types = RawHttp2.readFramesToEnd(c);
            assertThat(types).contains(RawHttp2.GOAWAY);
            t.interrupt();
        }
    }

    @Test
    void http2ConnectionWithoutARequestGetsGoAwayAndClose() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true, null, "h2")) {
            c.sendBytes(RawHttp2.preface());
            Thread t = trickle(c, RawHttp2.frame(RawHttp2.PING, 0, 0, new byte[8])); // traffic, but no request
            List<Integer> types = RawHttp2.readFramesToEnd(c);
            assertThat(types).contains(RawHttp2.GOAWAY);
            t.interrupt();
        }
    }

    /** A connection that delivered its request stays, with no request in flight, past the deadline. */
    @Test
    void http2ConnectionAfterARequestOutlivesTheDeadline() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true, null, "h2")) {
            c.sendBytes(RawHttp2.preface());
            byte[] block = RawHttp2.concat(RawHttp2.literal(":method", "CONNECT"),
                    RawHttp2.literal(":authority", fx.destEcho()));
            c.sendBytes(RawHttp2.frame(RawHttp2.HEADERS, 0x4, 1, block)); // END_HEADERS; no credential: 407
            assertThat(RawHttp2.readUntil(c, RawHttp2.HEADERS)).isTrue();
            Thread.sleep(4_000); // twice the deadline
            c.sendBytes(RawHttp2.frame(RawHttp2.PING, 0, 0, new byte[8]));
            assertThat(RawHttp2.readUntil(c, RawHttp2.PING)).as("PING answered after the deadline").isTrue();
        }
    }

    @Test
    void http3ConnectionWithoutARequestIsClosed() throws Exception {
        try (Http3MasqueClient h3 = new Http3MasqueClient("127.0.0.1", fx.port(), false)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (h3.isOpen() && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(h3.isOpen()).isFalse();
        }
    }

    @Test
    void http3StreamWithAnUnfinishedHeadersFrameIsResetAndTheConnectionGoesOn() throws Exception {
        try (Http3MasqueClient h3 = new Http3MasqueClient("127.0.0.1", fx.port(), false)) {
            assertThat(h3.connect(fx.destEcho()).status()).isEqualTo(407); // a first request, in time
            // a HEADERS frame (type 0x01) announcing 100 bytes, of which 3 come
            CompletableFuture<Void> ended = h3.openRawStream(new byte[] {0x01, 0x40, 0x64, 0x00, 0x00, 0x00});
            ended.get(15, TimeUnit.SECONDS);
            assertThat(h3.isOpen()).isTrue();
            assertThat(h3.connect(fx.destEcho(), "proxy-authorization", "Preshared " + ProxyBFixture.PSK).status())
                    .isEqualTo(200);
        }
    }
}
