package net.doublehop.proxya.issuer;

import io.vertx.core.Vertx;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import net.doublehop.protocol.pki.DevPki;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.RsaPem;
import net.doublehop.proxya.ProxyA;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real Proxy A with its issuer on loopback (TLS from a test CA, which also issues client certificates),
 * users alice/wonderland (Basic), a pre-shared key and client certificates; two issuer keys written as
 * PKCS#8 files ({@code issuer-1.pem}, {@code issuer-2.pem}). Proxy B is not needed: nothing here tunnels.
 */
public final class IssuerFixture implements AutoCloseable {

    public static final String USER = "alice";
    public static final String PASSWORD = "wonderland";
    public static final String PSK = "issuer-test-psk-123";
    public static final String NAME = "issuer.test";

    /** Two 2048-bit keys whose truncated ids differ, made once per test run (key generation is slow). */
    public static final List<RSAPrivateCrtKey> KEYS = twoKeys();

    public final Vertx vertx = Vertx.vertx();
    public final Path dir;
    public final DevPki pki = DevPki.create("issuer test CA");
    private final net.doublehop.proxyb.it.SevereLogGuard severe = new net.doublehop.proxyb.it.SevereLogGuard();
    public ProxyA a;

    public IssuerFixture() throws Exception {
        this("keys: [issuer-1.pem, issuer-2.pem]");
    }

    /** {@code issuerYaml}: extra lines of the issuer section (two-space indent added), e.g. keys and limits. */
    public IssuerFixture(String issuerYaml) throws Exception {
        dir = Files.createTempDirectory("issuer");
        pki.server("proxy-a", List.of("localhost"), List.of("127.0.0.1")).writeTo(dir, "a");
        pki.client(USER + "-laptop").writeTo(dir, "client");
        Files.writeString(dir.resolve("ca.crt"), pki.ca().certificatePem());
        Files.writeString(dir.resolve("users.txt"), USER + ":"
                + OpenBSDBCrypt.generate(PASSWORD.toCharArray(), new byte[16], 4) + "\n");
        for (int i = 0; i < KEYS.size(); i++) {
            Files.writeString(dir.resolve("issuer-" + (i + 1) + ".pem"), pkcs8(KEYS.get(i)));
        }
        a = ProxyA.start(vertx, ProxyAConfigLoader.parse(config(issuerYaml), dir)).await(30, TimeUnit.SECONDS);
    }

    public String config(String issuerYaml) {
        return """
                listen: 127.0.0.1:0
                tls: {certificate: a.crt, private-key: a.key, client-ca: ca.crt}
                users: {file: users.txt, preshared-keys: [%s]}
                upstream: {url: "https://127.0.0.1:1", insecure: true}
                issuer:
                  listen: 127.0.0.1:0
                  name: %s
                %s
                """.formatted(PSK, NAME, issuerYaml.indent(2));
    }

    public static String pkcs8(RSAPrivateCrtKey key) {
        return RsaPem.toPem("PRIVATE KEY", key.getEncoded());
    }

    public static IssuerPublicKey publicKey(RSAPrivateCrtKey key) {
        return IssuerPublicKey.of(RsaPem.publicKeyOf(key));
    }

    private static List<RSAPrivateCrtKey> twoKeys() {
        SecureRandom random = new SecureRandom();
        RSAPrivateCrtKey first = IssuerKeys.generatePrivateKey(random);
        while (true) {
            RSAPrivateCrtKey second = IssuerKeys.generatePrivateKey(random);
            if (publicKey(second).truncatedTokenKeyId() != publicKey(first).truncatedTokenKeyId()) {
                return List.of(first, second);
            }
        }
    }

    public URI uri(String path) {
        return URI.create("https://127.0.0.1:" + a.issuerPort() + path);
    }

    /** An HTTP client trusting the test CA, with a client certificate when asked. */
    public HttpClient http(boolean clientCertificate) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientCertificate) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            DevPki.Issued c = pki.client(USER + "-phone");
            ks.setKeyEntry("c", c.keyPair().getPrivate(), new char[0], new Certificate[] {c.certificate()});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** POSTs a body to the issuer's request URI with the given headers (name, value, name, value, ...). */
    public HttpResponse<byte[]> post(HttpClient http, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(IssuerService.REQUEST_PATH))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    public static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
    }

    @Override
    public void close() throws Exception {
        try {
            a.stop(Duration.ofMillis(100)).await(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        severe.close();
    }
}
