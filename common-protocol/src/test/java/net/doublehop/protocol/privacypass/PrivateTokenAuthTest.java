package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The PrivateToken auth scheme: RFC 9577 A.2 header vectors, formatting, and refused input. */
class PrivateTokenAuthTest {

    static final Vectors.Vector ISSUANCE = Vectors.rfc9578().get(0);
    static final Token TOKEN = Token.decode(ISSUANCE.bytes("token"));
    static final String TOKEN_B64 = Base64Url.encode(TOKEN.encode());

    /** One A.2 vector: the listed parameters of each challenge, and the WWW-Authenticate value they make. */
    record HeaderVector(int index, Map<String, String> params, String header) {
        @Override
        public String toString() {
            return "#" + index;
        }
    }

    static Stream<HeaderVector> headerVectors() {
        String text = Vectors.resource("rfc9577-appendix-a.txt");
        String a2 = text.substring(text.indexOf("=== A.2") + 7);
        List<HeaderVector> out = new ArrayList<>();
        String[] paragraphs = a2.strip().split("\n\n");
        for (int p = 0; p < paragraphs.length; p += 2) {
            Map<String, String> params = new java.util.LinkedHashMap<>();
            String last = null;
            for (String line : paragraphs[p].split("\n")) {
                int colon = line.indexOf(": ");
                if (colon > 0 && !line.matches("[0-9a-f]+")) {
                    last = line.substring(0, colon);
                    params.put(last, line.substring(colon + 2));
                } else {
                    params.put(last, params.get(last) + line);
                }
            }
            // The document folds the field value over lines; the folds are not part of it.
            String header = paragraphs[p + 1].replace("\n", "");
            assertThat(header).startsWith("WWW-Authenticate: ");
            out.add(new HeaderVector(out.size() + 1, params, header.substring("WWW-Authenticate: ".length())));
        }
        assertThat(out).hasSize(3);
        return out.stream();
    }

    @ParameterizedTest(name = "RFC 9577 A.2 header vector {0}")
    @MethodSource("headerVectors")
    void headerVector(HeaderVector v) {
        List<PrivateTokenChallenge> parsed = PrivateTokenAuth.parseChallenges(v.header());
        int n = (int) v.params().keySet().stream().filter(k -> k.startsWith("token-type-")).count();
        assertThat(parsed).hasSize(n); // Basic and unknown parameters ignored
        for (int i = 0; i < n; i++) {
            PrivateTokenChallenge c = parsed.get(i);
            assertThat(c.tokenType()).isEqualTo(Integer.decode(v.params().get("token-type-" + i)));
            assertThat(c.challenge()).isEqualTo(hex(v.params().get("token-challenge-" + i)));
            assertThat(c.tokenKey()).isEqualTo(hex(v.params().get("token-key-" + i)));
            String maxAge = v.params().get("max-age-" + i);
            assertThat(c.maxAge()).isEqualTo(maxAge == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(maxAge)));
            if (c.tokenType() == TokenType.BLIND_RSA_2048) {
                assertThat(c.tokenChallenge().encode()).isEqualTo(c.challenge());
                assertThat(c.issuerKey().tokenKeyId()).isEqualTo(IssuerPublicKey.fromSpki(ISSUANCE.bytes("pkS")).tokenKeyId());
            }
        }
        assertThat(PrivateTokenAuth.parseChallenges(PrivateTokenAuth.formatChallenges(parsed))).isEqualTo(parsed);
    }

    @Test
    void challengeIsSentPaddedAndQuoted() {
        TokenChallenge tc = new TokenChallenge(2, "issuer.example", null, "origin.example");
        IssuerPublicKey key = IssuerPublicKey.fromSpki(ISSUANCE.bytes("pkS"));
        PrivateTokenChallenge c = PrivateTokenChallenge.of(tc, key, OptionalLong.of(10));
        String header = PrivateTokenAuth.formatChallenge(c);
        assertThat(header).isEqualTo("PrivateToken challenge=\"" + Base64Url.encode(tc.encode()) + "\", token-key=\""
                + Base64Url.encode(key.spki()) + "\", max-age=10");
        assertThat(Base64Url.encode(tc.encode())).endsWith("="); // 35 bytes: padding needed and sent
        assertThat(PrivateTokenAuth.parseChallenges(header)).containsExactly(c);
        PrivateTokenChallenge noKey = new PrivateTokenChallenge(tc.encode(), null, OptionalLong.empty());
        assertThat(PrivateTokenAuth.formatChallenge(noKey)).doesNotContain("token-key", "max-age");
        assertThat(PrivateTokenAuth.parseChallenges(PrivateTokenAuth.formatChallenge(noKey))).containsExactly(noKey);
        assertThatThrownBy(noKey::issuerKey).isInstanceOfSatisfying(MalformedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_PARAMETER));
    }

    @Test
    void credentialsRoundTripAndAcceptEitherValueForm() {
        String header = PrivateTokenAuth.formatCredentials(TOKEN);
        assertThat(header).isEqualTo("PrivateToken token=\"" + TOKEN_B64 + "\"");
        assertThat(PrivateTokenAuth.parseCredentials(header)).isEqualTo(TOKEN);
        // Scheme and parameter names are case-insensitive; unknown parameters ignored (§2.2.2).
        assertThat(PrivateTokenAuth.parseCredentials("privatetoken  TOKEN = \"" + TOKEN_B64 + "\" , x=y")).isEqualTo(TOKEN);
        // A value needs quoting only when it has '='; a Token (354 bytes, a multiple of 3) never has padding.
        assertThat(TOKEN_B64).doesNotContain("=");
        assertThat(PrivateTokenAuth.parseCredentials("PrivateToken token=" + TOKEN_B64)).isEqualTo(TOKEN);
        assertThat(PrivateTokenAuth.parseChallenges("PrivateToken challenge=\"AAIAAWEAAAA=\", max-age=\"7\"").get(0).maxAge())
                .hasValue(7);
        // '=' is no token character, so a padded value must be quoted (RFC 9577 §2.1.2; base-drafts issue #209).
        assertThatThrownBy(() -> PrivateTokenAuth.parseChallenges("PrivateToken challenge=AAIAAWEAAAA=, max-age=7"))
                .isInstanceOfSatisfying(MalformedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.HEADER_SYNTAX));
    }

    @Test
    void endToEndThroughHeaders() {
        SecureRandom random = new SecureRandom();
        Issuer issuer = new Issuer(Keys.ISSUER_PRIVATE, random);
        TokenChallenge tc = new TokenChallenge(2, "issuer.example", new byte[32], "");
        String wwwAuthenticate = PrivateTokenAuth.formatChallenge(
                PrivateTokenChallenge.of(tc, issuer.publicKey(), OptionalLong.of(30)));
        // client
        PrivateTokenChallenge received = PrivateTokenAuth.parseChallenges(wwwAuthenticate).get(0);
        Client client = new Client(received.issuerKey(), random);
        PendingToken pending = client.request(received.tokenChallenge());
        byte[] response = issuer.issue(pending.request().encode());
        String authorization = PrivateTokenAuth.formatCredentials(
                client.finalizeToken(pending, TokenResponse.decode(response)));
        // origin
        VerifiedToken v = new TokenVerifier(List.of(issuer.publicKey()))
                .verify(PrivateTokenAuth.parseCredentials(authorization), tc);
        assertThat(v.nonce()).isEqualTo(pending.nonce());
    }

    static Stream<Arguments> refusedCredentials() {
        String body = TOKEN_B64;
        String unpaddedChallenge = Base64Url.encode(new byte[] {0, 2, 0, 1, 'a', 0, 0, 0}).replace("=", "");
        return Stream.of(
                Arguments.of("unpadded base64url", "PrivateToken token=\"" + body.substring(0, body.length() - 2) + "\"",
                        Reason.UNPADDED_BASE64URL),
                Arguments.of("standard base64 alphabet", "PrivateToken token=\"" + body.replace('-', '+').replace('_', '/') + "\"",
                        Reason.INVALID_BASE64URL), // this token's encoding has both '-' and '_'
                Arguments.of("garbage", "PrivateToken token=\"!!!!\"", Reason.INVALID_BASE64URL),
                Arguments.of("too much padding", "PrivateToken token=\"AA===\"", Reason.INVALID_BASE64URL),
                Arguments.of("padding inside", "PrivateToken token=\"AA==AAAA\"", Reason.INVALID_BASE64URL),
                Arguments.of("non-zero pad bits", "PrivateToken token=\"AB==\"", Reason.INVALID_BASE64URL),
                Arguments.of("impossible length", "PrivateToken token=\"AAAAA\"", Reason.INVALID_BASE64URL),
                Arguments.of("whitespace inside", "PrivateToken token=\"AAAA AAAA\"", Reason.INVALID_BASE64URL),
                Arguments.of("another scheme", "Basic dXNlcjpwYXNz", Reason.WRONG_SCHEME),
                Arguments.of("no token", "PrivateToken realm=\"x\"", Reason.MISSING_PARAMETER),
                Arguments.of("token68 form", "PrivateToken " + body, Reason.MISSING_PARAMETER),
                Arguments.of("token twice", "PrivateToken token=\"" + body + "\", token=\"" + body + "\"",
                        Reason.DUPLICATE_PARAMETER),
                Arguments.of("unterminated quote", "PrivateToken token=\"" + body, Reason.HEADER_SYNTAX),
                Arguments.of("two schemes", "PrivateToken token=\"" + body + "\", Basic abc", Reason.HEADER_SYNTAX),
                // "token=" with no value is, by RFC 9110's grammar, the token68 "token=": no token parameter.
                Arguments.of("no value", "PrivateToken token=", Reason.MISSING_PARAMETER),
                Arguments.of("no value then more", "PrivateToken token=, x=y", Reason.HEADER_SYNTAX),
                Arguments.of("empty", "", Reason.HEADER_SYNTAX),
                Arguments.of("empty token", "PrivateToken token=\"\"", Reason.TRUNCATED),
                Arguments.of("truncated token", "PrivateToken token=\"" + Base64Url.encode(new byte[] {0, 2, 1}) + "\"",
                        Reason.TRUNCATED),
                Arguments.of("unpadded challenge in a challenge", "PrivateToken challenge=" + unpaddedChallenge,
                        Reason.UNPADDED_BASE64URL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCredentials")
    void malformedIsRefusedWithItsReason(String what, String header, Reason reason) {
        org.assertj.core.api.ThrowableAssert.ThrowingCallable call = header.startsWith("PrivateToken challenge")
                ? () -> PrivateTokenAuth.parseChallenges(header)
                : () -> PrivateTokenAuth.parseCredentials(header);
        assertThatThrownBy(call).isInstanceOfSatisfying(MalformedException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.status()).isEqualTo(400);
        });
    }

    @Test
    void tokenOfAnotherTypeIsRefusedNotMalformed() {
        byte[] b = TOKEN.encode();
        b[1] = 1;
        assertThatThrownBy(() -> PrivateTokenAuth.parseCredentials("PrivateToken token=\"" + Base64Url.encode(b) + "\""))
                .isInstanceOfSatisfying(TokenRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_TOKEN_TYPE));
    }

    @Test
    void challengeRefusals() {
        assertMalformed("PrivateToken token-key=\"AAAA\"", Reason.MISSING_PARAMETER);
        assertMalformed("PrivateToken challenge=\"AAIAAWEAAAA=\", max-age=-1", Reason.INVALID_MAX_AGE);
        assertMalformed("PrivateToken challenge=\"AAIAAWEAAAA=\", max-age=\"1.5\"", Reason.INVALID_MAX_AGE);
        assertMalformed("PrivateToken challenge=\"AAIAAWEAAAA=\", max-age=99999999999999999999", Reason.INVALID_MAX_AGE);
        assertMalformed("PrivateToken challenge=\"AA==\"", Reason.TRUNCATED);
        assertMalformed("PrivateToken challenge=\"AAIAAWEAAAA=\" max-age=1", Reason.HEADER_SYNTAX);
        assertMalformed("PrivateToken challenge=\"AAIAAWEAAAA=\", challenge=\"AAIAAWEAAAA=\"", Reason.DUPLICATE_PARAMETER);
        assertMalformed("PrivateToken challenge=\"a\u0001\"", Reason.HEADER_SYNTAX);
        // Other schemes around PrivateToken challenges are skipped, whatever their form.
        assertThat(PrivateTokenAuth.parseChallenges("Basic, Newauth abc==, PrivateToken challenge=\"AAIAAWEAAAA=\","
                + " Bearer realm=x")).hasSize(1);
        assertThat(PrivateTokenAuth.parseChallenges("Basic realm=\"x\"")).isEmpty();
    }

    static void assertMalformed(String header, Reason reason) {
        assertThatThrownBy(() -> PrivateTokenAuth.parseChallenges(header)).as(header)
                .isInstanceOfSatisfying(MalformedException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    static byte[] hex(String s) {
        return s == null ? null : HexFormat.of().parseHex(s);
    }
}
