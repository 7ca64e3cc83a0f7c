package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.generic.VariableLengthInteger;
import tech.kwik.core.log.NullLogger;
import tech.kwik.flupke.Http3ClientConnection;
import tech.kwik.flupke.HttpError;
import tech.kwik.flupke.HttpStream;
import tech.kwik.flupke.core.Capsule;
import tech.kwik.flupke.core.CapsuleProtocolStream;
import tech.kwik.flupke.core.GenericCapsule;
import tech.kwik.flupke.impl.CapsuleProtocolStreamImpl;
import tech.kwik.flupke.impl.HeadersFrame;
import tech.kwik.flupke.impl.Http3ClientConnectionImpl;
import tech.kwik.qpack.Decoder;
import tech.kwik.qpack.Encoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proxy B's HTTP/3 listener with a client we did not write: Flupke (HTTP/3) on Kwik (QUIC), an implementation
 * independent of the Netty QUIC/HTTP/3 codec B runs on. Flupke speaks CONNECT (RFC 9114 §4.4) and extended
 * CONNECT (RFC 9220) and frames capsules (RFC 9297 §3.2); it has no HTTP/3 datagram API, so the datagram test
 * enables Kwik's QUIC DATAGRAM extension (RFC 9221), announces {@code SETTINGS_H3_DATAGRAM} through Flupke's
 * settings hook and frames the HTTP/3 datagrams (quarter stream ID, context ID) itself.
 */
class FlupkeInteropTest {

    private static final String PSK = "Preshared " + ProxyBFixture.PSK;
    /** SETTINGS_H3_DATAGRAM (RFC 9297 §2.1.1). */
    private static final long SETTINGS_H3_DATAGRAM = 0x33;
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static ProxyBFixture fx;
    private static UdpEchoDestination echo;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        // Kwik prints a warning on stdout for every connection that skips the certificate check (B's is made
        // at start); skipping it is this test's choice, so the warning is noise
        System.setProperty("tech.kwik.core.no-security-warnings", "true");
        fx = ProxyBFixture.withHttp3("");
        port = fx.port();
        echo = new UdpEchoDestination();
    }

    @AfterAll
    static void stop() throws Exception {
        echo.close();
        fx.close();
    }

    /** One QUIC connection from Kwik to B and Flupke's HTTP/3 connection on it. */
    private static final class Peer implements AutoCloseable {
        QuicClientConnection quic;
        Http3ClientConnection h3;
        final BlockingQueue<byte[]> datagrams = new LinkedBlockingQueue<>();
        final ExecutorService executor = Executors.newCachedThreadPool();

        Peer(boolean h3Datagrams) throws Exception {
            java.net.ConnectException failed = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                QuicClientConnection.Builder b = QuicClientConnection.newBuilder()
                        .uri(URI.create("https://127.0.0.1:" + port))
                        .applicationProtocol("h3")
                        .noServerCertificateCheck() // B's development certificate
                        .connectTimeout(TIMEOUT)
                        .logger(new NullLogger());
                if (h3Datagrams) {
                    b.enableDatagramExtension();
                }
                QuicClientConnection q = b.build();
                if (h3Datagrams) {
                    q.setDatagramHandler(datagrams::add);
                }
                // Flupke's own Http3SingleConnectionClient.createConnection(request) fails (0.9.4: its factory has
                // no client, NullPointerException), so the connection on Kwik's connection is made directly, and
                // before the handshake: it takes the streams B opens (control stream with SETTINGS) from the start
                Http3ClientConnection c = new Http3ClientConnectionImpl(q, executor);
                if (h3Datagrams) {
                    c.addSettingsParameter(SETTINGS_H3_DATAGRAM, 1);
                }
                try {
                    // the QUIC handshake, then Flupke's control stream and SETTINGS
                    c.connect();
                    quic = q;
                    h3 = c;
                    return;
                } catch (java.net.ConnectException e) {
                    // B validates addresses with a Retry (RFC 9000 §8.1.2) before every handshake. Kwik 0.10.8
                    // records its ClientHello only after handing it to its sender thread, so a Retry that comes
                    // back over loopback before that line runs finds no ClientHello to resend
                    // (NullPointerException in CryptoStream.write from QuicClientConnectionImpl.process(RetryPacket),
                    // a few handshakes in a hundred here). The race is the client's, so a failed handshake is tried
                    // afresh, a few times at most: a handshake B truly refuses fails every time.
                    failed = e;
                }
            }
            throw failed;
        }

        /**
         * A request's HEADERS frame (Flupke's codec, static-table QPACK) on a new Kwik stream, and the HEADERS
         * frame B answers with: what Flupke's CONNECT API does, without dropping the answer's header fields.
         */
        HeadersFrame exchange(String method, String authority, String protocol, String scheme, String path,
                String... fields) throws Exception {
            Map<String, String> pseudo = new LinkedHashMap<>();
            pseudo.put(":method", method);
            pseudo.put(":authority", authority);
            if (protocol != null) {
                pseudo.put(":protocol", protocol);
                pseudo.put(":scheme", scheme);
                pseudo.put(":path", path);
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 0; i < fields.length; i += 2) {
                headers.put(fields[i], List.of(fields[i + 1]));
            }
            QuicStream stream = quic.createStream(true);
            stream.getOutputStream().write(new HeadersFrame(HttpHeaders.of(headers, (k, v) -> true), pseudo)
                    .toBytes(Encoder.newBuilder().build()));
            // no flush (Kwik sends what is written; Flupke does not flush either): a refusal is a complete answer
            // followed by STOP_SENDING (RFC 9114 §4.1.1), after which Kwik's flush() says "output stream is reset"
            return CompletableFuture.supplyAsync(() -> {
                try {
                    InputStream in = stream.getInputStream();
                    long type = VariableLengthInteger.parseLong(in);
                    assertThat(type).isEqualTo(1); // HEADERS
                    byte[] payload = in.readNBytes((int) VariableLengthInteger.parseLong(in));
                    return new HeadersFrame().parsePayload(payload, Decoder.newBuilder().build());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            quic.closeAndWait(Duration.ofSeconds(5));
            executor.shutdownNow();
        }
    }

    /** A request to B itself: the authority of extended CONNECT and of B's own resources. */
    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + path));
    }

    /** A CONNECT target: Flupke takes CONNECT's {@code :authority} from the request's URI. */
    private static HttpRequest.Builder connectTo(String hostPort) {
        return HttpRequest.newBuilder(URI.create("https://" + hostPort));
    }

    private static String echoPath() {
        return "/.well-known/masque/udp/127.0.0.1/" + echo.port() + "/";
    }

    private static HttpRequest connectUdp(String... headers) {
        HttpRequest.Builder r = request(echoPath()).header("capsule-protocol", "?1");
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return r.build();
    }

    private static byte[] readAll(InputStream in) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void connectTunnelsTcpFromTheGeohashPool() throws Exception {
        try (Peer p = new Peer(false)) {
            HttpStream tunnel = p.h3.sendConnect(connectTo(fx.destHttp()).header("proxy-authorization", PSK)
                    .header("sec-ch-geohash", "xn76c-JP").build());
            tunnel.getOutputStream().write(bytes("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            tunnel.getOutputStream().flush();
            String got = text(readAll(tunnel.getInputStream()));
            assertThat(got).startsWith("HTTP/1.1 200").contains("seen-from=127.0.0.2 ");
        }
    }

    @Test
    void bytesFlowBothWaysAndFinEndsTheTunnel() throws Exception {
        try (Peer p = new Peer(false)) {
            HttpStream tunnel = p.h3.sendConnect(connectTo(fx.destEcho()).header("proxy-authorization", PSK).build());
            byte[] payload = new byte[256 * 1024];
            new java.util.Random(7).nextBytes(payload);
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                try {
                    return tunnel.getInputStream().readAllBytes();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (int off = 0; off < payload.length; off += 16 * 1024) {
                tunnel.getOutputStream().write(payload, off, 16 * 1024);
            }
            tunnel.getOutputStream().close(); // FIN: B half-closes towards the echo, which then ends its side
            assertThat(back.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(payload);
        }
    }

    @Test
    void extendedConnectAnswerSaysCapsuleProtocol() throws Exception {
        try (Peer p = new Peer(false)) {
            HeadersFrame ok = p.exchange("CONNECT", "127.0.0.1:" + port, "connect-udp", "https", echoPath(),
                    "capsule-protocol", "?1", "proxy-authorization", PSK);
            assertThat(ok.getPseudoHeader(":status")).isEqualTo("200");
            assertThat(ok.headers().firstValue("capsule-protocol")).hasValue("?1");
        }
    }

    @Test
    void refusalsCarryProxyStatus() throws Exception {
        try (Peer p = new Peer(false)) {
            // Flupke's CONNECT API gives a refusal's status only...
            HttpError e = catchThrowableOfType(HttpError.class,
                    () -> p.h3.sendConnect(connectTo(fx.destEcho()).build()));
            assertThat(e.getStatusCode()).isEqualTo(407);
            e = catchThrowableOfType(HttpError.class, () -> p.h3.sendExtendedConnect(connectUdp(),
                    "connect-udp", "https", TIMEOUT));
            assertThat(e.getStatusCode()).isEqualTo(407);
            // ...so its HEADERS frame and QPACK codecs read the whole answer on a Kwik stream
            HeadersFrame none = p.exchange("CONNECT", "127.0.0.1:" + echo.port(), null, null, null);
            assertThat(none.getPseudoHeader(":status")).isEqualTo("407");
            assertThat(none.headers().firstValue("proxy-status")).hasValueSatisfying(v ->
                    assertThat(v).startsWith("proxy-b; error=http_request_denied"));
            HeadersFrame udp = p.exchange("CONNECT", "127.0.0.1:" + port, "connect-udp", "https", echoPath());
            assertThat(udp.getPseudoHeader(":status")).isEqualTo("407");
            assertThat(udp.headers().firstValue("proxy-status")).hasValueSatisfying(v ->
                    assertThat(v).startsWith("proxy-b; error=http_request_denied"));
            HeadersFrame prohibited = p.exchange("CONNECT", "10.1.2.3:443", null, null, null,
                    "proxy-authorization", PSK);
            assertThat(prohibited.getPseudoHeader(":status")).isEqualTo("502");
            assertThat(prohibited.headers().firstValue("proxy-status")).hasValueSatisfying(v ->
                    assertThat(v).contains("error=destination_ip_prohibited"));
            // and a plain request, which Flupke sends as java.net.http does
            HttpResponse<String> get = p.h3.send(request("/").header("proxy-authorization", PSK).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("allow")).hasValue("CONNECT");
            assertThat(get.headers().firstValue("proxy-status")).hasValueSatisfying(v ->
                    assertThat(v).startsWith("proxy-b; error=http_request_error"));
        }
    }

    @Test
    void connectUdpWithCapsulesOnTheStream() throws Exception {
        try (Peer p = new Peer(false)) {
            HttpStream stream = p.h3.sendExtendedConnect(connectUdp("proxy-authorization", PSK,
                    "sec-ch-geohash", "xn76c-JP"), "connect-udp", "https", TIMEOUT);
            CapsuleProtocolStream capsules = new CapsuleProtocolStreamImpl(stream);
            capsules.send(new GenericCapsule(0x00, bytes("\0capsule")));
            Capsule back = CompletableFuture.supplyAsync(() -> {
                try {
                    return capsules.receive();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(back.getType()).isZero();
            byte[] data = ((GenericCapsule) back).getData();
            assertThat(data[0]).isZero();
            assertThat(text(data).substring(1)).isEqualTo("from=127.0.0.2 capsule");
        }
    }

    @Test
    void connectUdpWithHttp3Datagrams() throws Exception {
        try (Peer p = new Peer(true)) {
            HttpStream stream = p.h3.sendExtendedConnect(connectUdp("proxy-authorization", PSK,
                    "sec-ch-geohash", "xn76c-JP"), "connect-udp", "https", TIMEOUT);
            assertThat(p.quic.canSendDatagram()).isTrue();
            // B may answer with a capsule while our SETTINGS (on another stream) have not reached it yet: it must
            // not send datagrams before (RFC 9297 §2.1.1). Datagrams may be lost, so the payload is sent again
            // each second until the echo comes back, as a UDP client would.
            CompletableFuture<Capsule> capsule = CompletableFuture.supplyAsync(() -> {
                try {
                    return new CapsuleProtocolStreamImpl(stream).receive();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] back = null;
            for (long deadline = System.nanoTime() + TIMEOUT.toNanos(); back == null && !capsule.isDone()
                    && System.nanoTime() < deadline; ) {
                p.quic.sendDatagram(h3Datagram(stream.getStreamId(), bytes("dgram")));
                back = p.datagrams.poll(1, TimeUnit.SECONDS);
            }
            if (back != null) {
                assertThat(text(back)).isEqualTo(text(h3Datagram(stream.getStreamId(),
                        bytes("from=127.0.0.2 dgram"))));
            } else {
                assertThat(text(((GenericCapsule) capsule.get(1, TimeUnit.SECONDS)).getData()))
                        .isEqualTo("\0from=127.0.0.2 dgram");
            }
        }
    }

    /** An HTTP/3 datagram (RFC 9297 §2.1) of context ID 0 (RFC 9298 §4): quarter stream ID, 0, payload. */
    private static byte[] h3Datagram(long streamId, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeVarint(out, streamId / 4);
        writeVarint(out, 0);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** A QUIC variable-length integer (RFC 9000 §16). */
    private static void writeVarint(ByteArrayOutputStream out, long v) {
        if (v < 0x40) {
            out.write((int) v);
        } else if (v < 0x4000) {
            out.write((int) (0x40 | v >> 8));
            out.write((int) v);
        } else if (v < 0x4000_0000) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) ((shift == 24 ? 0x80L << 24 | v : v) >> shift));
            }
        } else {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((shift == 56 ? 0xC0L << 56 | v : v) >> shift));
            }
        }
    }
}
