package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TokenChallenge, TokenRequest, TokenResponse and Token bytes: RFC 9577 A.1 vectors and malformed input. */
class WireFormatTest {

    static final Vectors.Vector ISSUANCE = Vectors.rfc9578().get(0);

    static Stream<Vectors.Vector> challengeVectors() {
        String text = Vectors.resource("rfc9577-appendix-a.txt");
        String a1 = text.substring(text.indexOf("=== A.1") + 7, text.indexOf("=== A.2"));
        List<Vectors.Vector> all = Vectors.parse(a1, "// Test vector", ":");
        assertThat(all).hasSize(6);
        return all.stream();
    }

    @ParameterizedTest(name = "RFC 9577 A.1 test vector {0}")
    @MethodSource("challengeVectors")
    void challengeAndAuthenticatorInput(Vectors.Vector v) {
        int type = Integer.parseInt(v.text("token_type"), 16);
        if (type != TokenType.BLIND_RSA_2048) {
            // Vector 6 greases the token type: the structure is random bytes of an unknown type.
            assertThatThrownBy(() -> Token.decode(v.bytes("token_authenticator_input")))
                    .isInstanceOfSatisfying(TokenRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TOKEN_TYPE));
            return;
        }
        TokenChallenge c = new TokenChallenge(type, ascii(v.bytes("issuer_name")), v.bytes("redemption_context"),
                ascii(v.bytes("origin_info")));
        assertThat(TokenChallenge.decode(c.encode())).isEqualTo(c);
        byte[] input = Token.authenticatorInput(type, v.bytes("nonce"), c.digest(), v.bytes("token_key_id"));
        assertThat(input).isEqualTo(v.bytes("token_authenticator_input"));
    }

    @Test
    void originInfoListsNames() {
        TokenChallenge c = new TokenChallenge(2, "issuer.example", null, "foo.example,bar.example");
        assertThat(c.originNames()).containsExactly("foo.example", "bar.example");
        assertThat(new TokenChallenge(2, "issuer.example", null, "").originNames()).isEmpty();
    }

    static Stream<Arguments> structures() {
        return Stream.of(
                Arguments.of("TokenChallenge", ISSUANCE.bytes("token_challenge"), (Function<byte[], ?>) TokenChallenge::decode),
                Arguments.of("TokenRequest", ISSUANCE.bytes("token_request"), (Function<byte[], ?>) TokenRequest::decode),
                Arguments.of("TokenResponse", ISSUANCE.bytes("token_response"), (Function<byte[], ?>) TokenResponse::decode),
                Arguments.of("Token", ISSUANCE.bytes("token"), (Function<byte[], ?>) Token::decode));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structures")
    void everyTruncationAndAnyTrailingByteIsRefused(String name, byte[] good, Function<byte[], ?> decode) {
        assertThat(decode.apply(good)).isNotNull();
        for (int len = 0; len < good.length; len++) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThatThrownBy(() -> decode.apply(cut)).as("%s cut to %d bytes", name, len)
                    .isInstanceOfSatisfying(MalformedException.class, e -> {
                        assertThat(e.reason()).isIn(Reason.TRUNCATED, Reason.INVALID_FIELD);
                        assertThat(e.status()).isEqualTo(400);
                    });
        }
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> decode.apply(longer)).isInstanceOfSatisfying(MalformedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TRAILING_BYTES));
        assertThatThrownBy(() -> decode.apply(null)).isInstanceOf(MalformedException.class);
    }

    @Test
    void wrongTokenTypeIsRefused() {
        for (String name : List.of("token_request", "token")) {
            for (int type : new int[] {0x0000, 0x0001, 0x0003, 0x0a0a, 0xffff}) {
                byte[] b = ISSUANCE.bytes(name);
                b[0] = (byte) (type >>> 8);
                b[1] = (byte) type;
                Function<byte[], ?> decode = name.equals("token") ? Token::decode : TokenRequest::decode;
                assertThatThrownBy(() -> decode.apply(b)).as("%s of type %04x", name, type)
                        .isInstanceOfSatisfying(TokenRejectedException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TOKEN_TYPE);
                            assertThat(e.status()).isEqualTo(401);
                        });
            }
        }
    }

    @Test
    void challengeFieldsAreChecked() {
        // redemption_context of 16 bytes: §2.1.1 allows only 0 or 32.
        byte[] ctx16 = HexFormat.of().parseHex("0002" + "0001" + "61" + "10" + "00".repeat(16) + "0000");
        assertMalformed(() -> TokenChallenge.decode(ctx16), Reason.INVALID_FIELD);
        // issuer_name<1..2^16-1> may not be empty.
        byte[] noIssuer = HexFormat.of().parseHex("0002" + "0000" + "00" + "0000");
        assertMalformed(() -> TokenChallenge.decode(noIssuer), Reason.INVALID_FIELD);
        // names are ASCII server names.
        byte[] binary = HexFormat.of().parseHex("0002" + "0002" + "61ff" + "00" + "0000");
        assertMalformed(() -> TokenChallenge.decode(binary), Reason.INVALID_FIELD);
        byte[] ok = HexFormat.of().parseHex("0002" + "0001" + "61" + "00" + "0000");
        assertThat(TokenChallenge.decode(ok)).isEqualTo(new TokenChallenge(2, "a", new byte[0], ""));
        assertThatThrownBy(() -> new TokenChallenge(2, "a", new byte[31], "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenChallenge(2, "", null, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenChallenge(2, "a b", null, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordsCopyTheirBytes() {
        Token t = Token.decode(ISSUANCE.bytes("token"));
        t.authenticator()[0] ^= 1;
        t.nonce()[0] ^= 1;
        assertThat(t.encode()).isEqualTo(ISSUANCE.bytes("token"));
        byte[] ctx = new byte[32];
        TokenChallenge c = new TokenChallenge(2, "a", ctx, "");
        ctx[0] = 1;
        assertThat(c.redemptionContext()[0]).isZero();
    }

    static void assertMalformed(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MalformedException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    static String ascii(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }
}
