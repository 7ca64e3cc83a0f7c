package net.doublehop.protocol.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.ProxyFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The signed geohash profile (docs/architecture.md §2), with an injected clock. */
class GeohashSignatureTest {

    static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");
    static final KeyPair OLD = Ed25519Keys.generate();
    static final KeyPair NEW = Ed25519Keys.generate();
    static final KeyPair STRANGER = Ed25519Keys.generate();

    static SignedGeohash sign(KeyPair key, String kid, Instant at, Duration validity) {
        return new GeohashSigner(key.getPrivate(), kid, validity, Clock.fixed(at, ZoneOffset.UTC), new SecureRandom())
                .sign(GeohashHint.parse("xn76c-JP"));
    }

    static GeohashSignatureVerifier verifierAt(Instant now) {
        Map<String, PublicKey> keys = Map.of("a-old", OLD.getPublic(), "a-new", NEW.getPublic());
        return new GeohashSignatureVerifier(keys, Clock.fixed(now, ZoneOffset.UTC), Duration.ofSeconds(30),
                Duration.ofHours(1));
    }

    @Test
    void signatureBaseMatchesRfc9421Layout() {
        SignedGeohash s = sign(NEW, "a-new", T0, Duration.ofMinutes(5));
        assertThat(s.geohash()).isEqualTo("xn76c-JP");
        assertThat(s.signatureInput()).matches("geo=\\(\"sec-ch-geohash\"\\);created=1795348800;expires=1795349100;"
                + "nonce=\"[A-Za-z0-9_-]{22}\";keyid=\"a-new\";alg=\"ed25519\";tag=\"sec-ch-geohash\"");
        assertThat(s.signature()).matches("geo=:[A-Za-z0-9+/]{86}==:");
        String params = s.signatureInput().substring("geo=".length());
        assertThat(new String(GeohashSignatureBase.build("xn76c-JP", params), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("\"sec-ch-geohash\": xn76c-JP\n\"@signature-params\": " + params);
    }

    @Test
    void bothRotatedKeysVerify() {
        for (SignedGeohash s : new SignedGeohash[] {sign(OLD, "a-old", T0, Duration.ofMinutes(5)),
                sign(NEW, "a-new", T0, Duration.ofMinutes(5))}) {
            assertThat(verifierAt(T0.plusSeconds(10)).verify(s.geohash(), s.signatureInput(), s.signature()))
                    .isEqualTo(new GeohashHint("xn76c", "JP"));
        }
    }

    @Test
    void noncesDiffer() {
        assertThat(sign(NEW, "a-new", T0, Duration.ofMinutes(5)).signatureInput())
                .isNotEqualTo(sign(NEW, "a-new", T0, Duration.ofMinutes(5)).signatureInput());
    }

    static Stream<Arguments> rejections() {
        SignedGeohash good = sign(NEW, "a-new", T0, Duration.ofMinutes(5));
        String sig = good.signature();
        byte[] raw = Base64.getDecoder().decode(sig.substring(5, sig.length() - 1));
        raw[10] ^= 1;
        String flipped = "geo=:" + Base64.getEncoder().encodeToString(raw) + ":";
        return Stream.of(
                Arguments.of("tampered geohash", good.geohash().replace("xn76c", "xn76d"), good.signatureInput(), sig, T0, "geohash signature invalid"),
                Arguments.of("flipped signature bit", good.geohash(), good.signatureInput(), flipped, T0, "geohash signature invalid"),
                Arguments.of("tampered created", good.geohash(), good.signatureInput().replace("created=1795348800", "created=1795348801"), sig, T0, "geohash signature invalid"),
                Arguments.of("tampered expires", good.geohash(), good.signatureInput().replace("expires=1795349100", "expires=1795349101"), sig, T0, "geohash signature invalid"),
                Arguments.of("expired", good.geohash(), good.signatureInput(), sig, T0.plusSeconds(300 + 31), "geohash signature expired"),
                Arguments.of("not yet valid", good.geohash(), good.signatureInput(), sig, T0.minusSeconds(31), "geohash signature not yet valid"),
                Arguments.of("unknown key", good.geohash(), good.signatureInput().replace("a-new", "a-gone"), sig, T0, "geohash signature key unknown"),
                Arguments.of("wrong components", good.geohash(), good.signatureInput().replace("(\"sec-ch-geohash\")", "(\"sec-ch-geohash\" \"@authority\")"), sig, T0, "geohash signature covers wrong components"),
                Arguments.of("alg mismatch", good.geohash(), good.signatureInput().replace("\"ed25519\"", "\"rsa-pss-sha512\""), sig, T0, "geohash signature algorithm unsupported"),
                Arguments.of("missing signature", good.geohash(), good.signatureInput(), null, T0, "geohash signature missing"),
                Arguments.of("missing input", good.geohash(), null, sig, T0, "geohash signature missing"),
                Arguments.of("label mismatch", good.geohash(), good.signatureInput(), sig.replace("geo=", "other="), T0, "geohash signature malformed"),
                Arguments.of("not a dictionary", good.geohash(), "geo=(((", sig, T0, "geohash signature malformed"),
                Arguments.of("no created", good.geohash(), good.signatureInput().replace(";created=1795348800", ""), sig, T0, "geohash signature malformed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejections")
    void rejected(String name, String geohash, String input, String signature, Instant now, String detail) {
        assertThatThrownBy(() -> verifierAt(now).verify(geohash, input, signature))
                .isInstanceOfSatisfying(ProxyFailure.class, f -> {
                    assertThat(f.status()).isEqualTo(403);
                    assertThat(f.details()).isEqualTo(detail);
                });
    }

    @Test
    void keyIdOfATrustedKeyButAnotherKeysSignatureIsInvalid() {
        SignedGeohash s = sign(STRANGER, "a-new", T0, Duration.ofMinutes(5));
        assertThatThrownBy(() -> verifierAt(T0).verify(s.geohash(), s.signatureInput(), s.signature()))
                .hasMessageContaining("geohash signature invalid");
    }

    @Test
    void validityLongerThanAllowedIsRefused() {
        SignedGeohash s = sign(NEW, "a-new", T0, Duration.ofHours(2));
        assertThatThrownBy(() -> verifierAt(T0).verify(s.geohash(), s.signatureInput(), s.signature()))
                .hasMessageContaining("geohash signature validity too long");
    }

    @Test
    void malformedGeohashIsABadRequestNotADenial() {
        SignedGeohash s = sign(NEW, "a-new", T0, Duration.ofMinutes(5));
        assertThatThrownBy(() -> verifierAt(T0).verify("XN76C-JP", s.signatureInput(), s.signature()))
                .isInstanceOfSatisfying(ProxyFailure.class, f -> assertThat(f.status()).isEqualTo(400));
    }

    @Test
    void verifierPicksTheTaggedMemberAmongOthers() {
        SignedGeohash s = sign(OLD, "a-old", T0, Duration.ofMinutes(5));
        String input = "sig1=(\"@method\");created=1, " + s.signatureInput().replace("geo=", "x=");
        String sig = "sig1=:AAAA:, " + s.signature().replace("geo=", "x=");
        assertThat(verifierAt(T0).verify(s.geohash(), input, sig).geohash()).isEqualTo("xn76c");
    }

    @Test
    void jwksRoundTripAndRfc8037Vector() {
        // RFC 8037 Appendix A.2: the public key of the example.
        String jwks = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"rfc8037\","
                + "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},{\"kty\":\"RSA\",\"kid\":\"skip\"}]}";
        Map<String, PublicKey> keys = Jwks.parse(jwks);
        assertThat(keys).containsOnlyKeys("rfc8037");
        assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519Keys.rawPublicKey(keys.get("rfc8037"))))
                .isEqualTo("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
        Map<String, PublicKey> back = Jwks.parse(Jwks.toJson(Map.of("a", OLD.getPublic(), "b", NEW.getPublic())));
        assertThat(back.get("a")).isEqualTo(OLD.getPublic());
        assertThat(back.get("b")).isEqualTo(NEW.getPublic());
    }

    @Test
    void rfc8037SignatureVerifiesWithTheParsedKey() throws Exception {
        // RFC 8037 A.4: the JWS signing input and signature for the A.2 key.
        PublicKey key = Jwks.parse("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k\","
                + "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}").get("k");
        java.security.Signature v = java.security.Signature.getInstance("Ed25519");
        v.initVerify(key);
        v.update("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(v.verify(Base64.getUrlDecoder().decode(
                "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"))).isTrue();
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"not json", "{}", "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"AA\"}]}",
        "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"AA\"}]}",
        "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"d\":\"x\"}]}"})
    void jwksRejects(String json) {
        assertThatThrownBy(() -> Jwks.parse(json)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void publicKeyIsDerivedFromThePrivateKey() {
        KeyPair kp = Ed25519Keys.generate();
        assertThat(Ed25519Keys.publicKeyOf(kp.getPrivate())).isEqualTo(kp.getPublic());
    }

    @Test
    void pemRoundTrip() {
        KeyPair kp = Ed25519Keys.generate();
        assertThat(Ed25519Keys.privateKeyFromPem(Ed25519Keys.toPem(kp.getPrivate()))).isEqualTo(kp.getPrivate());
        assertThat(Ed25519Keys.publicKeyFromPem(Ed25519Keys.toPem(kp.getPublic()))).isEqualTo(kp.getPublic());
        UnaryOperator<String> noop = s -> s;
        assertThatThrownBy(() -> Ed25519Keys.privateKeyFromPem(noop.apply("nope"))).isInstanceOf(IllegalArgumentException.class);
    }
}
