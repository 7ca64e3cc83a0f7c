package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Fuzz targets (Jazzer) for the Privacy Pass wire formats a proxy or issuer reads from strangers (RFC 9577, RFC
 * 9578): TokenChallenge, TokenRequest, TokenResponse and Token (each must decode to something that encodes back to
 * exactly its input, or be refused with a {@link PrivacyPassException}), and the RFC 9110 §11 authentication
 * headers carrying them (refused only with a {@link PrivacyPassException}; parsed credentials survive a round
 * trip through their own formatting).
 */
class PrivacyPassFuzzTest {

    private static <T> void roundTrip(byte[] input, Function<byte[], T> decode, Function<T, byte[]> encode) {
        T decoded;
        try {
            decoded = decode.apply(input);
        } catch (PrivacyPassException e) {
            return;
        }
        assertThat(encode.apply(decoded)).isEqualTo(input);
    }

    @FuzzTest
    void token(byte[] input) {
        roundTrip(input, Token::decode, Token::encode);
    }

    @FuzzTest
    void tokenChallenge(byte[] input) {
        roundTrip(input, TokenChallenge::decode, TokenChallenge::encode);
    }

    @FuzzTest
    void tokenRequest(byte[] input) {
        roundTrip(input, TokenRequest::decode, TokenRequest::encode);
    }

    @FuzzTest
    void tokenResponse(byte[] input) {
        roundTrip(input, TokenResponse::decode, TokenResponse::encode);
    }

    @FuzzTest
    void authenticationHeaders(byte[] input) {
        String value = new String(input, StandardCharsets.ISO_8859_1);
        try {
            assertThat(AuthHeaderParser.challenges(value)).isNotEmpty();
        } catch (PrivacyPassException e) {
            // refused: the documented outcome
        }
        try {
            assertThat(PrivateTokenAuth.parseChallenges(value)).isNotNull();
        } catch (PrivacyPassException e) {
            // refused
        }
        Token token;
        try {
            token = PrivateTokenAuth.parseCredentials(value);
        } catch (PrivacyPassException e) {
            return;
        }
        assertThat(PrivateTokenAuth.parseCredentials(PrivateTokenAuth.formatCredentials(token))).isEqualTo(token);
    }
}
