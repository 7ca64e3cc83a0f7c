package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import net.doublehop.protocol.privacypass.RsaPem;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.proxya.issuer.IssuerFixture;
import net.doublehop.runtime.config.ConfigException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The issuer section: defaults, refusals with the key to fix, and key files that are not usable keys. */
class IssuerConfigTest {

    @TempDir
    Path dir;

    static final String BASE = """
            listen: 127.0.0.1:0
            users: {preshared-keys: [svc-key-123]}
            upstream: {url: "https://127.0.0.1:1", insecure: true}
            """;

    @BeforeEach
    void keyFile() throws Exception {
        Files.writeString(dir.resolve("k1.pem"), IssuerFixture.pkcs8(IssuerFixture.KEYS.get(0)));
        Files.writeString(dir.resolve("k2.pem"), IssuerFixture.pkcs8(IssuerFixture.KEYS.get(1)));
    }

    @Test
    void absentMeansNoIssuer() {
        assertThat(ProxyAConfigLoader.parse(BASE, dir).issuer()).isEmpty();
    }

    @Test
    void defaults() {
        ProxyAConfig.IssuerConfig c = ProxyAConfigLoader.parse(BASE
                + "issuer: {listen: 127.0.0.1:7444, name: issuer.example, keys: [k1.pem]}", dir).issuer().orElseThrow();
        assertThat(c.listen().port()).isEqualTo(7444);
        assertThat(c.name()).isEqualTo("issuer.example");
        assertThat(c.keys()).containsExactly(new ProxyAConfig.IssuerConfig.KeyFile(dir.resolve("k1.pem"),
                java.util.Optional.empty()));
        assertThat(c.tokensPerUserPerHour()).isEqualTo(100);
        assertThat(c.directoryMaxAge()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void keysWithNotBefore() {
        ProxyAConfig.IssuerConfig c = ProxyAConfigLoader.parse(BASE + """
                issuer:
                  listen: 127.0.0.1:7444
                  name: issuer.example
                  keys:
                    - k1.pem
                    - {file: k2.pem, not-before: 2026-12-01T00:00:00Z}
                    - {file: k2.pem, not-before: 1800000000}
                  tokens-per-user-per-hour: 5
                  directory-max-age: 10m
                """, dir).issuer().orElseThrow();
        assertThat(c.keys().get(0).notBefore()).isEmpty();
        assertThat(c.keys().get(1).notBefore()).contains(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(c.keys().get(2).notBefore()).contains(Instant.ofEpochSecond(1_800_000_000L));
        assertThat(c.tokensPerUserPerHour()).isEqualTo(5);
        assertThat(c.directoryMaxAge()).isEqualTo(Duration.ofMinutes(10));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no listen|issuer: {name: i.example}|issuer.listen is required",
        "no name|issuer: {listen: 127.0.0.1:7444}|issuer.name is required",
        "name with space|issuer: {listen: 127.0.0.1:7444, name: 'a b'}|issuer.name must be printable ASCII",
        "same listener|issuer: {listen: 127.0.0.1:7443, name: i.example}|issuer.listen must differ from listen",
        "keys not a list|issuer: {listen: 127.0.0.1:7444, name: i.example, keys: k1.pem}|issuer.keys must be a list",
        "missing key file|issuer: {listen: 127.0.0.1:7444, name: i.example, keys: [k1.pem, nope.pem]}|issuer.keys[1]: cannot read",
        "bad not-before|issuer: {listen: 127.0.0.1:7444, name: i.example, keys: [{file: k1.pem, not-before: soon}]}|issuer.keys[0].not-before must be a UTC time",
        "unknown key entry field|issuer: {listen: 127.0.0.1:7444, name: i.example, keys: [{file: k1.pem, since: 1}]}|unknown config key 'issuer.keys[0].since'",
        "zero limit|issuer: {listen: 127.0.0.1:7444, name: i.example, tokens-per-user-per-hour: 0}|tokens-per-user-per-hour must be at least 1",
        "unknown key|issuer: {listen: 127.0.0.1:7444, name: i.example, key: k1.pem}|unknown config key 'issuer.key'",
        "not a mapping|issuer: on|issuer must be a mapping",
    })
    void rejections(String name, String yaml, String message) {
        String base = BASE.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:7443");
        assertThatThrownBy(() -> ProxyAConfigLoader.parse(base + yaml, dir)).as(name)
                .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void keyFilesThatAreNotUsableKeysStopTheStartWithAClearMessage() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(1024);
        Files.writeString(dir.resolve("small.pem"), RsaPem.toPem("PRIVATE KEY", g.generateKeyPair().getPrivate().getEncoded()));
        Files.writeString(dir.resolve("pkcs1.pem"), "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
        Files.writeString(dir.resolve("garbage.pem"), "not a key at all\n");
        Files.writeString(dir.resolve("ec.pem"), RsaPem.toPem("PRIVATE KEY",
                KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate().getEncoded()));
        assertStartFails("[garbage.pem]", "issuer.keys[0] (" + dir.resolve("garbage.pem") + "): invalid key: expected a PEM 'PRIVATE KEY' block",
                "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048");
        assertStartFails("[pkcs1.pem]", "issuer.keys[0]", "this is a PKCS#1 key: convert it with 'openssl pkcs8 -topk8");
        assertStartFails("[k1.pem, small.pem]", "issuer.keys[1]", "token type 0x0002 needs a 2048-bit modulus, not 1024");
        assertStartFails("[ec.pem]", "issuer.keys[0]", "is not RSA");
        assertStartFails("[k1.pem, k2.pem, k1.pem]", "issuer.keys[2] is the same key as issuer.keys[0]");
    }

    @Test
    void anIssuerPortInUseIsNamed() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Path cfg = dir.resolve("a.yaml");
            Files.writeString(cfg, BASE + "issuer: {listen: 127.0.0.1:" + taken.getLocalPort()
                    + ", name: i.example, keys: [k1.pem]}\n");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"--config", cfg.toString()}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("proxy-a: cannot start: issuer.listen 127.0.0.1:" + taken.getLocalPort() + ": ");
        }
    }

    private void assertStartFails(String keys, String... messages) throws Exception {
        Path cfg = dir.resolve("a.yaml");
        Files.writeString(cfg, BASE + "issuer: {listen: 127.0.0.1:0, name: i.example, keys: " + keys + "}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--config", cfg.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(2);
        assertThat(text).startsWith("proxy-a: configuration error: ");
        for (String m : messages) {
            assertThat(text).contains(m);
        }
        assertThat(text).doesNotContain("MIIB");
    }
}
