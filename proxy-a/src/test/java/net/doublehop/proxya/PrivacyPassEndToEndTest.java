package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.List;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.RsaPem;
import net.doublehop.proxya.issuer.IssuerKeys;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's whole flow with real parts only: alice logs in at A's issuer (HTTP, the attester is A's user file)
 * with the {@code tokens} command, then spends each token once, at A (forward mode: A authenticates itself to B
 * with mTLS) and straight at B (single hop); a replay is refused at both.
 */
class PrivacyPassEndToEndTest {

    @Test
    void tokensFromAsIssuerOpenOneTunnelEachAtAAndAtB() throws Exception {
        Path keys = Files.createTempDirectory("issuer-keys");
        RSAPrivateCrtKey issuerKey = IssuerKeys.generatePrivateKey(new SecureRandom());
        Path priv = keys.resolve("issuer.pem");
        Path pub = keys.resolve("issuer.pub.pem");
        Files.writeString(priv, RsaPem.toPem("PRIVATE KEY", issuerKey.getEncoded()));
        Files.writeString(pub, IssuerPublicKey.of(RsaPem.publicKeyOf(issuerKey)).toPem());
        String redeem = "privacy-pass: {issuer-keys: [\"%s\"], issuer-name: issuer.test}".formatted(pub);
        String issuer = "issuer: {listen: \"127.0.0.1:0\", name: issuer.test, keys: [\"%s\"]}\n".formatted(priv);
        try (DoubleHopFixture fx = new DoubleHopFixture(issuer, "{file: users.txt, " + redeem + "}",
                "auth: {" + redeem + "}\n", 0, 0)) {
            List<String> tokens = tokens(fx, 3);
            assertThat(tokens).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("Proxy-Authorization: PrivateToken token="));

            // at A, forward mode
            ForwardDoubleHopTest.Result viaA = PrivacyAndResilienceTest.curlVia(fx.a.port(), "--interface", "127.0.0.10",
                    "--proxy-header", tokens.get(0), "http://" + fx.destination() + "/");
            assertThat(viaA.exit()).as(viaA.stderr()).isZero();
            assertThat(viaA.stdout()).startsWith("seen-from=127.0.0.2 ");
            ForwardDoubleHopTest.Result replayAtA = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v",
                    "--proxy-header", tokens.get(0), "http://" + fx.destination() + "/");
            assertThat(replayAtA.stderr()).contains("HTTP/1.1 403").contains("already spent");

            // at B, single hop (B's TLS trusts A's client CA, so no client certificate: the token is the credential)
            ForwardDoubleHopTest.Result atB = PrivacyAndResilienceTest.curlVia(fx.bPort, "--proxy-header", tokens.get(1),
                    "http://" + fx.destination() + "/");
            assertThat(atB.exit()).as(atB.stderr()).isZero();
            assertThat(atB.stdout()).startsWith("seen-from=127.0.0.3 ");
            ForwardDoubleHopTest.Result replayAtB = PrivacyAndResilienceTest.curlVia(fx.bPort, "-v",
                    "--proxy-header", tokens.get(1), "http://" + fx.destination() + "/");
            assertThat(replayAtB.stderr()).contains("HTTP/1.1 403").contains("proxy-b; error=http_request_denied")
                    .contains("already spent");

            // Every token is its own: the replays above did not use up the others.
            ForwardDoubleHopTest.Result third = PrivacyAndResilienceTest.curlVia(fx.a.port(), "--proxy-header",
                    tokens.get(2), "http://" + fx.destination() + "/");
            assertThat(third.exit()).as(third.stderr()).isZero();
        }
    }

    private static List<String> tokens(DoubleHopFixture fx, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"tokens", "--issuer", "https://127.0.0.1:" + fx.a.issuerPort(),
                "--insecure", "--user", // the fixture's A has a self-signed certificate
                DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "--issuer-name", "issuer.test",
                "--count", Integer.toString(count)},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }
}
