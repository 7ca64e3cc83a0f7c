package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 9578 Appendix A.2 (Blind RSA, token type 0x0002): every published value, byte for byte. */
class IssuanceVectorsTest {

    static Stream<Vectors.Vector> vectors() {
        List<Vectors.Vector> all = Vectors.rfc9578();
        assertThat(all).hasSize(5);
        return all.stream();
    }

    @ParameterizedTest(name = "RFC 9578 A.2 test vector {0}")
    @MethodSource("vectors")
    void blindRsaIssuance(Vectors.Vector v) {
        var sk = RsaPem.privateKeyFromPem(new String(v.bytes("skS"), StandardCharsets.US_ASCII));
        IssuerPublicKey key = IssuerPublicKey.of(RsaPem.publicKeyOf(sk));
        assertThat(key.spki()).as("pkS: the §6.5 encoding").isEqualTo(v.bytes("pkS"));
        assertThat(IssuerPublicKey.fromSpki(v.bytes("pkS"))).isEqualTo(key);

        TokenChallenge challenge = TokenChallenge.decode(v.bytes("token_challenge"));
        assertThat(challenge.encode()).isEqualTo(v.bytes("token_challenge"));

        Client client = new Client(key, new SecureRandom());
        PendingToken pending = client.request(challenge, v.bytes("nonce"), v.bytes("salt"),
                new BigInteger(1, v.bytes("blind")));
        assertThat(pending.request().encode()).as("token_request").isEqualTo(v.bytes("token_request"));
        assertThat(TokenRequest.decode(v.bytes("token_request"))).isEqualTo(pending.request());

        Issuer issuer = new Issuer(sk, new SecureRandom());
        byte[] response = issuer.issue(v.bytes("token_request"));
        assertThat(response).as("token_response").isEqualTo(v.bytes("token_response"));

        Token token = client.finalizeToken(pending, TokenResponse.decode(response));
        assertThat(token.encode()).as("token").isEqualTo(v.bytes("token"));
        assertThat(Token.decode(v.bytes("token"))).isEqualTo(token);
        assertThat(token.challengeDigest()).isEqualTo(challenge.digest());
        assertThat(token.tokenKeyId()).isEqualTo(key.tokenKeyId());

        VerifiedToken verified = new TokenVerifier(List.of(key)).verify(token, challenge);
        assertThat(verified.issuerKey()).isEqualTo(key);
        assertThat(verified.nonce()).isEqualTo(v.bytes("nonce"));
    }

    @Test
    void tokenKeyIdIsThatOfRfc9577Vectors() {
        // RFC 9577 A.1 lists the token_key_id of this same key; §6.5: SHA-256 of the encoded key.
        IssuerPublicKey key = IssuerPublicKey.fromSpki(Vectors.rfc9578().get(0).bytes("pkS"));
        assertThat(HexFormat.of().formatHex(key.tokenKeyId()))
                .isEqualTo("ca572f8982a9ca248a3056186322d93ca147266121ddeb5632c07f1f71cd2708");
        assertThat(key.truncatedTokenKeyId()).isEqualTo(0x08);
    }
}
