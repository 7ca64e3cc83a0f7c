package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenVerifier;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick start's issuer: DevSetup's Proxy A config runs an issuer that the tokens command can use as printed. */
class DevSetupIssuerTest {

    @TempDir
    Path dir;

    @Test
    void theDevConfigsIssuerServesAliceThroughTheTokensCommand() throws Exception {
        DevSetup.main(new String[] {dir.toString()});
        String yaml = Files.readString(dir.resolve("proxy-a.yaml"));
        assertThat(yaml).contains("listen: 127.0.0.1:7444").contains("name: issuer.example");
        // Ephemeral ports, so the test does not collide with a running quick start.
        yaml = yaml.replace("127.0.0.1:7443", "127.0.0.1:0").replace("127.0.0.1:9091", "127.0.0.1:0")
                .replace("127.0.0.1:7444", "127.0.0.1:0").replace("127.0.0.1:7445", "127.0.0.1:0");
        Vertx vertx = Vertx.vertx();
        try {
            ProxyA a = ProxyA.start(vertx, ProxyAConfigLoader.parse(yaml, dir)).await(30, TimeUnit.SECONDS);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"tokens", "--issuer", "https://127.0.0.1:" + a.issuerPort(), "--cacert",
                dir.resolve("ca.crt").toString(), "--user", "alice:wonderland", "--issuer-name", "issuer.example",
                "--count", "2"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            TokenVerifier verifier = new TokenVerifier(a.issuerPublicKeys());
            TokenChallenge challenge = new TokenChallenge(2, "issuer.example", new byte[0], "");
            String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
            assertThat(lines).hasSize(2);
            for (String line : lines) {
                verifier.verify(PrivateTokenAuth.parseCredentials(line.substring(line.indexOf(':') + 1)), challenge);
            }
            a.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
