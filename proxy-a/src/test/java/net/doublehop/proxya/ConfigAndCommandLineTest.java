package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigAndCommandLineTest {

    @TempDir
    Path dir;

    static final String MINIMAL = """
            listen: 127.0.0.1:7443
            users: {preshared-keys: [svc-key-123]}
            upstream: {url: "https://b.example:8443", insecure: true, preshared-key: a-to-b}
            """;

    @Test
    void defaults() {
        ProxyAConfig c = ProxyAConfigLoader.parse(MINIMAL, dir);
        assertThat(c.proxyName()).isEqualTo("proxy-a");
        assertThat(c.geolocation().precision()).isEqualTo(5);
        assertThat(c.geolocation().database()).isEmpty();
        assertThat(c.signing().keyId()).isEqualTo("proxy-a-1");
        assertThat(c.signing().validity()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.upstream().host()).isEqualTo("b.example");
        assertThat(c.upstream().port()).isEqualTo(8443);
        assertThat(c.upstream().maxConnections()).isEqualTo(4);
        assertThat(c.maxTunnelsPerUser()).isEqualTo(256);
        assertThat(c.limits().requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.toString()).doesNotContain("svc-key-123").doesNotContain("a-to-b");
    }

    @Test
    void requestHeaderTimeoutIsReadFromLimits() {
        ProxyAConfig c = ProxyAConfigLoader.parse(MINIMAL + "limits: {request-header-timeout: 2500ms}\n", dir);
        assertThat(c.limits().requestHeaderTimeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no users|listen: 127.0.0.1:1\\nupstream: {url: \"https://b:1\", insecure: true}|users:",
        "no upstream|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}|upstream",
        "http upstream|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"http://b:1\", insecure: true}|https://host:port",
        "no trust|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\"}|upstream.trust",
        "bad precision|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true}\\ngeolocation: {precision: 13}|precision",
        "unknown key|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true}\\nusers-file: x|unknown config key 'users-file'",
        "fallback geohash alone|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true}\\ngeolocation: {fallback-geohash: gcpv}|fallback-country and fallback-geohash go together",
        "zero upstream connections|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true, max-connections: 0}|upstream.max-connections must be at least 1",
        "zero tunnels per user|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true}\\nlimits: {max-tunnels-per-user: 0}|limits.max-tunnels-per-user must be at least 1",
        "negative tunnel rate|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true}\\nlimits: {tunnels-per-second-per-user: -1}|limits.tunnels-per-second-per-user must be at least 1",
        "proxy-name not a token|listen: 127.0.0.1:1\\nproxy-name: \"proxy a\"\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true}|proxy-name must be an RFC 8941 token",
        "fallback country alone|listen: 127.0.0.1:1\\nusers: {preshared-keys: [k]}\\nupstream: {url: \"https://b:1\", insecure: true}\\ngeolocation: {fallback-country: GB}|go together",
    })
    void rejections(String name, String yaml, String message) {
        assertThatThrownBy(() -> ProxyAConfigLoader.parse(yaml.replace("\\n", "\n"), dir)).as(name)
                .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void usersFileMustHoldBcryptHashes() throws Exception {
        Files.writeString(dir.resolve("users.txt"), "alice:plaintext\n");
        Files.writeString(dir.resolve("a.yaml"), "listen: 127.0.0.1:0\nusers: {file: users.txt}\n"
                + "upstream: {url: \"https://127.0.0.1:1\", insecure: true}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"--config", dir.resolve("a.yaml").toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("users.file line 1: expected name:<bcrypt or argon2id hash>")
                .doesNotContain("plaintext");
    }

    @Test
    void help() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: java -jar proxy-a.jar --config FILE")
                .contains("--print-jwks").contains("docs/configuration.md");
        assertThat(Main.run(new String[] {"--nope"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
    }
}
