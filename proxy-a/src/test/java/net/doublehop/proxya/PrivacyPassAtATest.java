package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import net.doublehop.protocol.privacypass.Client;
import net.doublehop.protocol.privacypass.Issuer;
import net.doublehop.protocol.privacypass.PendingToken;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenType;
import org.junit.jupiter.api.Test;

/**
 * Privacy Pass at A, forward mode: a token stands in for the user's account at A (one tunnel per token), A then
 * authenticates itself to B with its own credential (mTLS here), and B sees neither the token nor a user.
 */
class PrivacyPassAtATest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void aTokenOpensOneTunnelThroughBothHopsAndAReplayIsRefusedAtA() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        Issuer issuer = new Issuer((RSAPrivateCrtKey) g.generateKeyPair().getPrivate(), RANDOM);
        Path pub = Files.createTempFile("issuer", ".pub.pem");
        Files.writeString(pub, issuer.publicKey().toPem());
        String users = "{file: users.txt, privacy-pass: {issuer-keys: [\"%s\"], issuer-name: issuer.test}}".formatted(pub);
        try (DoubleHopFixture fx = new DoubleHopFixture("", users)) {
            Client client = new Client(issuer.publicKey(), RANDOM);
            PendingToken pending = client.request(new TokenChallenge(TokenType.BLIND_RSA_2048, "issuer.test",
                    new byte[0], ""));
            String credentials = PrivateTokenAuth.formatCredentials(
                    client.finalizeToken(pending, issuer.issue(pending.request())));

            ForwardDoubleHopTest.Result ok = PrivacyAndResilienceTest.curlVia(fx.a.port(), "--interface", "127.0.0.10",
                    "--proxy-header", "Proxy-Authorization: " + credentials, "http://" + fx.destination() + "/");
            assertThat(ok.exit()).as(ok.stderr()).isZero();
            assertThat(ok.stdout()).startsWith("seen-from=127.0.0.2 "); // located, signed, Tokyo pool at B

            ForwardDoubleHopTest.Result replay = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v",
                    "--proxy-header", "Proxy-Authorization: " + credentials, "http://" + fx.destination() + "/");
            assertThat(replay.stderr()).contains("HTTP/1.1 403").contains("proxy-a; error=http_request_denied")
                    .contains("already spent");

            ForwardDoubleHopTest.Result none = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v",
                    "http://" + fx.destination() + "/");
            assertThat(none.stderr()).contains("HTTP/1.1 407").containsIgnoringCase("Proxy-Authenticate: Basic")
                    .containsIgnoringCase("Proxy-Authenticate: PrivateToken challenge=");
            // accounts still work beside tokens
            ForwardDoubleHopTest.Result basic = PrivacyAndResilienceTest.curlVia(fx.a.port(), "--proxy-user",
                    DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "http://" + fx.destination() + "/");
            assertThat(basic.exit()).as(basic.stderr()).isZero();
        }
    }
}
