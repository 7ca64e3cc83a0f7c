package net.doublehop.proxyb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, usage errors, configuration errors, and --check. */
class MainTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpExplainsAndExitsZero() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: java -jar proxy-b.jar --config FILE")
                .contains("--check").contains("docs/configuration.md").contains("SIGTERM");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config FILE is required");
        assertThat(run("--bogus")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown argument '--bogus'");
        assertThat(run("--config", dir.resolve("missing.yaml").toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read config file");
    }

    @Test
    void configurationErrorsNameTheKey() throws Exception {
        Path cfg = dir.resolve("b.yaml");
        Files.writeString(cfg, "listen: 127.0.0.1:0\nauth: {preshared-keys: [k1-secret-key]}\negress: {pools: []}\n");
        assertThat(run("--config", cfg.toString())).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("configuration error").contains("egress.pools");
    }

    @Test
    void checkBindTestsEgressAddresses() throws Exception {
        Path cfg = dir.resolve("b.yaml");
        Files.writeString(cfg, """
                listen: 127.0.0.1:0
                auth: {preshared-keys: [k1-secret-key]}
                egress: {pools: [{name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2, 192.0.2.7]}]}
                """);
        assertThat(run("--config", cfg.toString(), "--check")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("egress pool 'tokyo': cannot bind address 192.0.2.7");
        Files.writeString(cfg, """
                listen: 127.0.0.1:0
                auth: {preshared-keys: [k1-secret-key]}
                egress: {pools: [{name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}]}
                """);
        assertThat(run("--config", cfg.toString(), "--check")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("configuration OK");
    }
}
