package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Issuance and redemption end to end, and each way a request or token is refused. */
class IssuerClientVerifierTest {

    static final SecureRandom RANDOM = new SecureRandom();
    static final TokenChallenge CHALLENGE = new TokenChallenge(TokenType.BLIND_RSA_2048, "issuer.example",
            new byte[32], "origin.example");
    static final Issuer ISSUER = new Issuer(Keys.ISSUER_PRIVATE, RANDOM);

    static Issuer otherIssuer;

    @BeforeAll
    static void otherKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        otherIssuer = new Issuer((RSAPrivateCrtKey) g.generateKeyPair().getPrivate(), RANDOM);
    }

    static Token issue(Issuer issuer, TokenChallenge challenge) {
        Client client = new Client(issuer.publicKey(), RANDOM);
        PendingToken pending = client.request(challenge);
        return client.finalizeToken(pending, issuer.issue(pending.request()));
    }

    @Test
    void roundTripVerifiesAndExposesNonceAndKeyId() {
        Token token = issue(ISSUER, CHALLENGE);
        TokenVerifier verifier = new TokenVerifier(List.of(otherIssuer.publicKey(), ISSUER.publicKey()));
        VerifiedToken v = verifier.verify(token, CHALLENGE);
        assertThat(v.issuerKey()).isEqualTo(ISSUER.publicKey());
        assertThat(v.nonce()).hasSize(32).isEqualTo(token.nonce());
        assertThat(v.tokenKeyId()).isEqualTo(ISSUER.publicKey().tokenKeyId());
        assertThat(verifier.verifyAny(token, List.of(
                new TokenChallenge(2, "issuer.example", null, ""), CHALLENGE)).token()).isEqualTo(token);
        assertThat(issue(ISSUER, CHALLENGE).nonce()).as("fresh nonce").isNotEqualTo(token.nonce());
        // the token survives its wire form
        assertThat(verifier.verify(Token.decode(token.encode()), List.of(CHALLENGE.digest()))).isNotNull();
    }

    @Test
    void issuerRefusesAnotherKeysTruncatedId() {
        Client client = new Client(otherIssuer.publicKey(), RANDOM);
        TokenRequest request = client.request(CHALLENGE).request();
        TokenRequest misaddressed = new TokenRequest(ISSUER.publicKey().truncatedTokenKeyId() ^ 1, request.blindedMsg());
        assertThatThrownBy(() -> ISSUER.issue(misaddressed)).isInstanceOfSatisfying(TokenRejectedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_TRUNCATED_KEY_ID));
    }

    @Test
    void issuerRefusesABlindedMessageNotBelowTheModulus() {
        byte[] big = new byte[256];
        java.util.Arrays.fill(big, (byte) 0xff);
        TokenRequest r = new TokenRequest(ISSUER.publicKey().truncatedTokenKeyId(), big);
        assertThatThrownBy(() -> ISSUER.issue(r)).isInstanceOfSatisfying(MalformedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_FIELD));
    }

    @Test
    void clientRefusesAResponseFromAnotherKey() {
        Client client = new Client(ISSUER.publicKey(), RANDOM);
        // The blinded message is uniform below ISSUER's modulus; the other key may have the smaller modulus, and
        // then its issuer rightly refuses a message not below it. Draw until the message fits both.
        java.math.BigInteger otherModulus = otherIssuer.publicKey().key().getModulus();
        PendingToken drawn;
        do {
            drawn = client.request(CHALLENGE);
        } while (new java.math.BigInteger(1, drawn.request().blindedMsg()).compareTo(otherModulus) >= 0);
        PendingToken pending = drawn;
        TokenRequest readdressed = new TokenRequest(otherIssuer.publicKey().truncatedTokenKeyId(),
                pending.request().blindedMsg());
        TokenResponse wrong = otherIssuer.issue(readdressed);
        assertThatThrownBy(() -> client.finalizeToken(pending, wrong)).isInstanceOfSatisfying(BlindRsaException.class,
                e -> assertThat(e.error()).isEqualTo(BlindRsaException.Error.INVALID_SIGNATURE));
    }

    @Test
    void clientRefusesAChallengeOfAnotherType() {
        Client client = new Client(ISSUER.publicKey(), RANDOM);
        assertThatThrownBy(() -> client.request(new TokenChallenge(1, "issuer.example", null, "")))
                .isInstanceOfSatisfying(TokenRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TOKEN_TYPE));
    }

    @Test
    void verifierRefusesUnknownKeyWrongChallengeAndFlippedBits() {
        Token token = issue(ISSUER, CHALLENGE);
        assertRejected(() -> new TokenVerifier(List.of(otherIssuer.publicKey())).verify(token, CHALLENGE),
                Reason.UNKNOWN_TOKEN_KEY);
        TokenVerifier verifier = new TokenVerifier(List.of(ISSUER.publicKey()));
        TokenChallenge otherContext = new TokenChallenge(2, "issuer.example", new byte[32], "other.example");
        assertRejected(() -> verifier.verify(token, otherContext), Reason.CHALLENGE_MISMATCH);
        assertRejected(() -> verifier.verifyAny(token, List.of()), Reason.CHALLENGE_MISMATCH);
        for (int bit : new int[] {0, 1, 8 * 100 + 3, 8 * 255 + 7}) {
            byte[] auth = token.authenticator();
            auth[bit / 8] ^= (byte) (1 << (bit % 8));
            Token flipped = new Token(2, token.nonce(), token.challengeDigest(), token.tokenKeyId(), auth);
            assertRejected(() -> verifier.verify(flipped, CHALLENGE), Reason.INVALID_AUTHENTICATOR);
        }
        // A changed nonce breaks the signature too: the authenticator covers token_input.
        byte[] nonce = token.nonce();
        nonce[31] ^= 1;
        Token renonced = new Token(2, nonce, token.challengeDigest(), token.tokenKeyId(), token.authenticator());
        assertRejected(() -> verifier.verify(renonced, CHALLENGE), Reason.INVALID_AUTHENTICATOR);
    }

    static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TokenRejectedException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.status()).isEqualTo(401);
        });
    }
}
