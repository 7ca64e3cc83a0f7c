package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import net.doublehop.protocol.privacypass.Client;
import net.doublehop.protocol.privacypass.Issuer;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PendingToken;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.PrivateTokenChallenge;
import net.doublehop.protocol.privacypass.Token;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Privacy Pass redemption at B (RFC 9577, token type 0x0002): B trusts one issuer key; tokens are made with
 * the project's issuer and client code (the issuer never sees the token; B never sees who the user is).
 */
class PrivacyPassAtBTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ISSUER_NAME = "issuer.test";
    private static ProxyBFixture fx;
    private static Issuer issuer;
    private static Issuer stranger;

    @BeforeAll
    static void start() throws Exception {
        issuer = new Issuer(newRsaKey(), RANDOM);
        stranger = new Issuer(newRsaKey(), RANDOM);
        Path pub = Files.createTempFile("issuer", ".pub.pem");
        Files.writeString(pub, issuer.publicKey().toPem());
        fx = new ProxyBFixture(ProxyBFixture.BASE_YAML.replace("auth:\n", """
                auth:
                  privacy-pass:
                    issuer-keys: ["%s"]
                    issuer-name: %s
                    max-age: 10m
                """.formatted(pub, ISSUER_NAME)), "");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static RSAPrivateCrtKey newRsaKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return (RSAPrivateCrtKey) g.generateKeyPair().getPrivate();
    }

    /** What B's challenge says: this issuer, no redemption context, no origin info. */
    private static TokenChallenge challenge(String issuerName) {
        return new TokenChallenge(TokenType.BLIND_RSA_2048, issuerName, new byte[0], "");
    }

    private static Token token(Issuer from, TokenChallenge challenge) {
        Client client = new Client(from.publicKey(), RANDOM);
        PendingToken pending = client.request(challenge);
        return client.finalizeToken(pending, from.issue(pending.request()));
    }

    private static RawProxyClient.Head connect(String authorization) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n"
                    + (authorization == null ? "" : "Proxy-Authorization: " + authorization + "\r\n") + "\r\n");
            RawProxyClient.Head h = c.readHead();
            if (h.status() == 200) {
                c.send("ping");
                assertThat(new String(c.readBytes(4))).isEqualTo("ping");
            }
            return h;
        }
    }

    @Test
    void aTokenOpensOneTunnelAndOnlyOne() throws Exception {
        String credentials = PrivateTokenAuth.formatCredentials(token(issuer, challenge(ISSUER_NAME)));
        assertThat(connect(credentials).status()).isEqualTo(200);
        RawProxyClient.Head replay = connect(credentials);
        assertThat(replay.status()).isEqualTo(403);
        assertThat(replay.header("proxy-status")).contains("error=http_request_denied").contains("already spent");
    }

    @Test
    void everyTokenIsGoodOnce() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(connect(PrivateTokenAuth.formatCredentials(token(issuer, challenge(ISSUER_NAME)))).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void noCredentialsGet407WithAPrivateTokenChallengeForTheTrustedKey() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\n\r\n");
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            while (!buf.toString(java.nio.charset.StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = c.input().read();
                assertThat(b).as("response head ended early: " + buf).isNotNegative();
                buf.write(b);
            }
            String all = buf.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(all).startsWith("HTTP/1.1 407");
            List<String> challenges = all.lines().filter(l -> l.toLowerCase().startsWith("proxy-authenticate:"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).toList();
            assertThat(challenges).hasSize(2);
            assertThat(challenges).anySatisfy(v -> assertThat(v).startsWith("Preshared"));
            String pp = challenges.stream().filter(v -> v.startsWith("PrivateToken")).findFirst().orElseThrow();
            PrivateTokenChallenge parsed = PrivateTokenAuth.parseChallenges(pp).get(0);
            assertThat(parsed.tokenChallenge()).isEqualTo(challenge(ISSUER_NAME));
            assertThat(parsed.issuerKey()).isEqualTo(issuer.publicKey());
            assertThat(parsed.maxAge()).hasValue(600);
            // A client can take everything it needs from the challenge: a token for it is accepted.
            assertThat(connect(PrivateTokenAuth.formatCredentials(token(issuer, parsed.tokenChallenge()))).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aTokenOfAnotherIssuerKeyIs403() throws Exception {
        RawProxyClient.Head h = connect(PrivateTokenAuth.formatCredentials(token(stranger, challenge(ISSUER_NAME))));
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.header("proxy-status")).contains("http_request_denied").contains("unknown token key");
    }

    @Test
    void aTokenForAnotherChallengeIs403() throws Exception {
        RawProxyClient.Head h = connect(PrivateTokenAuth.formatCredentials(token(issuer, challenge("other.issuer"))));
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.header("proxy-status")).contains("challenge mismatch");
    }

    @Test
    void aBitFlippedAuthenticatorIs403AndDoesNotSpendTheRealToken() throws Exception {
        Token good = token(issuer, challenge(ISSUER_NAME));
        byte[] auth = good.authenticator();
        auth[17] ^= 0x01;
        Token flipped = new Token(good.tokenType(), good.nonce(), good.challengeDigest(), good.tokenKeyId(), auth);
        RawProxyClient.Head h = connect(PrivateTokenAuth.formatCredentials(flipped));
        assertThat(h.status()).isEqualTo(403);
        assertThat(h.header("proxy-status")).contains("invalid authenticator");
        assertThat(connect(PrivateTokenAuth.formatCredentials(good)).status()).isEqualTo(200);
    }

    @Test
    void malformedTokensAre400() throws Exception {
        byte[] encoded = token(issuer, challenge(ISSUER_NAME)).encode();
        String padded = Base64.getUrlEncoder().encodeToString(encoded);
        // A token is 354 bytes, a multiple of 3: its base64url never has padding, so extra '=' are wrong.
        String overPadded = padded + "==";
        String truncated = Base64.getUrlEncoder().encodeToString(java.util.Arrays.copyOf(encoded, encoded.length - 10));
        byte[] otherType = encoded.clone();
        otherType[1] = 0x01; // token_type 0x0001 (VOPRF), which B does not accept
        for (String value : List.of(
                "PrivateToken token=\"" + overPadded + "\"",
                "PrivateToken token=\"" + truncated + "\"",
                "PrivateToken token=\"!!not base64url!!\"",
                "PrivateToken token=",
                "PrivateToken challenge=\"" + padded + "\"")) {
            RawProxyClient.Head h = connect(value);
            assertThat(h.status()).as(value).isEqualTo(400);
            assertThat(h.header("proxy-status")).as(value).contains("http_request_error");
        }
        RawProxyClient.Head h = connect("PrivateToken token=\"" + Base64.getUrlEncoder().encodeToString(otherType) + "\"");
        assertThat(h.status()).isIn(400, 403);
        assertThat(h.header("proxy-status")).contains("privacy pass");
    }

    @Test
    void presharedKeysStillWork() throws Exception {
        assertThat(connect("Preshared " + ProxyBFixture.PSK).status()).isEqualTo(200);
    }
}
