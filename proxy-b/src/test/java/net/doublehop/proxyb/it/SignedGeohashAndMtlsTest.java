package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.pki.DevPki;
import net.doublehop.protocol.signature.Ed25519Keys;
import net.doublehop.protocol.signature.GeohashSigner;
import net.doublehop.protocol.signature.Jwks;
import net.doublehop.protocol.signature.SignedGeohash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proxy B with {@code require-signature: true}, two trusted Proxy A keys (rotation) and mTLS: signed
 * geohashes pick the pool, anything unsigned, tampered, expired or signed by a stranger is 403, and a
 * client certificate from the configured CA authenticates without a key.
 */
class SignedGeohashAndMtlsTest {

    private static ProxyBFixture fx;
    private static KeyPair oldKey;
    private static KeyPair newKey;
    private static DevPki.PemFiles clientCert;
    private static DevPki.PemFiles strangerCert;
    private static Path caFile;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("proxy-b-signed");
        oldKey = Ed25519Keys.generate();
        newKey = Ed25519Keys.generate();
        Files.writeString(dir.resolve("a-keys.jwks"),
                Jwks.toJson(Map.of("proxy-a-old", oldKey.getPublic(), "proxy-a-new", newKey.getPublic())));
        DevPki pki = DevPki.create("test proxy-a CA");
        caFile = dir.resolve("a-ca.crt");
        Files.writeString(caFile, pki.ca().certificatePem());
        DevPki.PemFiles server = pki.server("proxy-b", java.util.List.of("localhost"), java.util.List.of("127.0.0.1"))
                .writeTo(dir, "b");
        clientCert = pki.client("proxy-a-1").writeTo(dir, "a-client");
        strangerCert = DevPki.create("someone else").client("intruder").writeTo(dir, "stranger");
        fx = new ProxyBFixture(ProxyBFixture.BASE_YAML, """
                tls:
                  certificate: %s
                  private-key: %s
                  client-ca: %s
                geohash:
                  trusted-signers: %s
                  require-signature: true
                """.formatted(server.certificate(), server.privateKey(), caFile, dir.resolve("a-keys.jwks")));
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static SignedGeohash sign(KeyPair key, String kid, String hint, Instant at) {
        return new GeohashSigner(key.getPrivate(), kid, Duration.ofMinutes(5), Clock.fixed(at, ZoneOffset.UTC),
                new SecureRandom()).sign(GeohashHint.parse(hint));
    }

    private static RawProxyClient.Head connect(SignedGeohash s) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Preshared "
                    + ProxyBFixture.PSK + "\r\nsec-ch-geohash: " + s.geohash() + "\r\nSignature-Input: "
                    + s.signatureInput() + "\r\nSignature: " + s.signature() + "\r\n\r\n");
            return c.readHead();
        }
    }

    @Test
    void bothRotatedKeysAreAccepted() throws Exception {
        assertThat(connect(sign(oldKey, "proxy-a-old", "xn76c-JP", Instant.now())).status()).isEqualTo(200);
        assertThat(connect(sign(newKey, "proxy-a-new", "xn76c-JP", Instant.now())).status()).isEqualTo(200);
    }

    @Test
    void signedGeohashPicksThePoolSeenByCurl() throws Exception {
        SignedGeohash s = sign(newKey, "proxy-a-new", "xn76c-JP", Instant.now());
        CurlThroughProxyBTest.Result r = curlAt(fx.port(), "--proxy-header", "Proxy-Authorization: Preshared "
                + ProxyBFixture.PSK, "--proxy-header", "sec-ch-geohash: " + s.geohash(), "--proxy-header",
                "Signature-Input: " + s.signatureInput(), "--proxy-header", "Signature: " + s.signature(),
                "http://" + fx.destHttp() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
    }

    @Test
    void tamperedGeohashIs403() throws Exception {
        SignedGeohash s = sign(newKey, "proxy-a-new", "xn76c-JP", Instant.now());
        RawProxyClient.Head h = connect(new SignedGeohash("gcpvj-GB", s.signatureInput(), s.signature()));
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.header("proxy-status")).contains("error=http_request_denied").contains("geohash signature invalid");
    }

    @Test
    void expiredSignatureIs403() throws Exception {
        RawProxyClient.Head h = connect(sign(newKey, "proxy-a-new", "xn76c-JP", Instant.now().minusSeconds(3600)));
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.header("proxy-status")).contains("geohash signature expired");
    }

    @Test
    void unknownKeyIs403() throws Exception {
        KeyPair stranger = Ed25519Keys.generate();
        RawProxyClient.Head h = connect(sign(stranger, "someone", "xn76c-JP", Instant.now()));
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.header("proxy-status")).contains("geohash signature key unknown");
    }

    @Test
    void keyIdOfATrustedKeyWithAnotherKeysSignatureIs403() throws Exception {
        KeyPair stranger = Ed25519Keys.generate();
        RawProxyClient.Head h = connect(sign(stranger, "proxy-a-new", "xn76c-JP", Instant.now()));
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.header("proxy-status")).contains("geohash signature invalid");
    }

    @Test
    void unsignedGeohashIs403WhenSignaturesAreRequired() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Preshared "
                    + ProxyBFixture.PSK + "\r\nsec-ch-geohash: xn76c-JP\r\n\r\n");
            RawProxyClient.Head h = c.readHead();
            assertThat(h.status()).isEqualTo(403);
            assertThat(h.header("proxy-status")).contains("geohash signature missing");
        }
    }

    @Test
    void clientCertificateFromTheCaAuthenticatesWithoutAKey() throws Exception {
        SignedGeohash s = sign(newKey, "proxy-a-new", "gcpvj-GB", Instant.now());
        CurlThroughProxyBTest.Result r = curlAt(fx.port(), "--proxy-cert", clientCert.certificate().toString(),
                "--proxy-key", clientCert.privateKey().toString(), "--proxy-header", "sec-ch-geohash: " + s.geohash(),
                "--proxy-header", "Signature-Input: " + s.signatureInput(), "--proxy-header",
                "Signature: " + s.signature(), "http://" + fx.destHttp() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=127.0.0.3 ");
    }

    @Test
    void clientCertificateFromAnotherCaIsRejected() throws Exception {
        CurlThroughProxyBTest.Result r = curlAt(fx.port(), "--proxy-cert", strangerCert.certificate().toString(),
                "--proxy-key", strangerCert.privateKey().toString(), "http://" + fx.destHttp() + "/");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stdout()).doesNotContain("seen-from");
    }

    static CurlThroughProxyBTest.Result curlAt(int port, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "--max-time", "20",
                "-p", "-x", "https://127.0.0.1:" + port, "--proxy-insecure"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor();
        return new CurlThroughProxyBTest.Result(p.exitValue(), out, err);
    }
}
