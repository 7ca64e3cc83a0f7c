package net.doublehop.protocol.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.ProxyFailure;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** BouncyCastle's Ed25519 as the signer and verifier use it: the JDK's signatures, RFC 8032 vectors, strictness. */
class Ed25519BcTest {

    static final HexFormat HEX = HexFormat.of();
    /** The order of the Ed25519 base point (RFC 8032 §5.1): S must be below it. */
    static final BigInteger L = BigInteger.TWO.pow(252).add(new BigInteger("27742317777372353535851937790883648493"));

    static byte[] jdkSign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    static boolean jdkVerify(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static PrivateKey jdkPrivateKey(byte[] seed) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
    }

    static List<byte[]> messages() {
        Random random = new Random(8032); // fixed seed: the same messages every run
        List<byte[]> messages = new ArrayList<>();
        messages.add(new byte[0]);
        messages.add(new byte[] {0x72});
        messages.add(GeohashSignatureBase.build("xn76c-JP", "(\"sec-ch-geohash\");created=1795348800;"
                + "expires=1795349100;nonce=\"AAAAAAAAAAAAAAAAAAAAAA\";keyid=\"a\";alg=\"ed25519\";tag=\"sec-ch-geohash\""));
        for (int n : new int[] {1, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000, 4096}) {
            byte[] m = new byte[n];
            random.nextBytes(m);
            messages.add(m);
        }
        return messages;
    }

    @Test
    void signaturesAreByteIdenticalToTheJdksForManyKeysAndMessages() throws Exception {
        List<byte[]> messages = messages();
        for (int k = 0; k < 12; k++) {
            KeyPair kp = Ed25519Keys.generate();
            Ed25519PrivateKeyParameters bc = Ed25519Bc.privateKey(kp.getPrivate());
            assertThat(bc).isNotNull();
            Ed25519PublicKeyParameters bcPublic = Ed25519Bc.publicKey(kp.getPublic());
            assertThat(bcPublic).isNotNull();
            assertThat(bc.generatePublicKey().getEncoded()).isEqualTo(Ed25519Keys.rawPublicKey(kp.getPublic()));
            GeohashSigner signer = new GeohashSigner(kp.getPrivate(), "k", Duration.ofMinutes(5), Clock.systemUTC(),
                    new SecureRandom());
            for (byte[] m : messages) {
                byte[] jdk = jdkSign(kp.getPrivate(), m);
                assertThat(Ed25519Bc.sign(bc.getEncoded(), bc.generatePublicKey().getEncoded(), m)).isEqualTo(jdk);
                assertThat(signer.signature(m)).isEqualTo(jdk);
                // and each verifies the other's
                assertThat(Ed25519Bc.verify(bcPublic, m, jdk)).isTrue();
                assertThat(jdkVerify(kp.getPublic(), m, signer.signature(m))).isTrue();
            }
        }
    }

    @Test
    void keysReadFromPemConvertToo() throws Exception {
        KeyPair kp = Ed25519Keys.generate();
        PrivateKey fromPem = Ed25519Keys.privateKeyFromPem(Ed25519Keys.toPem(kp.getPrivate()));
        PublicKey pubFromPem = Ed25519Keys.publicKeyFromPem(Ed25519Keys.toPem(kp.getPublic()));
        byte[] m = "hello".getBytes(StandardCharsets.US_ASCII);
        Ed25519PrivateKeyParameters bc = Ed25519Bc.privateKey(fromPem);
        byte[] sig = Ed25519Bc.sign(bc.getEncoded(), bc.generatePublicKey().getEncoded(), m);
        assertThat(sig).isEqualTo(jdkSign(kp.getPrivate(), m));
        assertThat(Ed25519Bc.verify(Ed25519Bc.publicKey(pubFromPem), m, sig)).isTrue();
        assertThat(Ed25519Bc.verify(Ed25519Bc.publicKey(Ed25519Keys.publicKeyOf(fromPem)), m, sig)).isTrue();
    }

    /** RFC 8032 §7.1 tests 1-3: secret key, public key, message, signature. */
    @ParameterizedTest
    @CsvSource({
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60,"
            + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a,,"
            + "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb,"
            + "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c,72,"
            + "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7,"
            + "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025,af82,"
            + "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"})
    void rfc8032Vectors(String secret, String publicKey, String message, String signature) throws Exception {
        byte[] m = message == null ? new byte[0] : HEX.parseHex(message);
        PrivateKey priv = jdkPrivateKey(HEX.parseHex(secret));
        PublicKey pub = Ed25519Keys.publicKeyFromRaw(HEX.parseHex(publicKey));
        assertThat(Ed25519Keys.rawPublicKey(Ed25519Keys.publicKeyOf(priv))).isEqualTo(HEX.parseHex(publicKey));
        GeohashSigner signer = new GeohashSigner(priv, "k", Duration.ofMinutes(5), Clock.systemUTC(), new SecureRandom());
        assertThat(HEX.formatHex(signer.signature(m))).isEqualTo(signature);
        assertThat(HEX.formatHex(jdkSign(priv, m))).isEqualTo(signature);
        assertThat(Ed25519Bc.verify(Ed25519Bc.publicKey(pub), m, HEX.parseHex(signature))).isTrue();
        byte[] other = Arrays.copyOf(m, m.length + 1);
        assertThat(Ed25519Bc.verify(Ed25519Bc.publicKey(pub), other, HEX.parseHex(signature))).isFalse();
    }

    @Test
    void rfc8037JwsVectorThroughTheSignerAndVerifierPaths() throws Exception {
        // RFC 8037 A.1 (d), A.2 (x) and A.4 (the JWS signing input and its signature).
        PrivateKey priv = jdkPrivateKey(Base64.getUrlDecoder().decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"));
        PublicKey pub = Jwks.parse("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k\","
                + "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}").get("k");
        byte[] input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = Base64.getUrlDecoder().decode(
                "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
        GeohashSigner signer = new GeohashSigner(priv, "k", Duration.ofMinutes(5), Clock.systemUTC(), new SecureRandom());
        assertThat(signer.signature(input)).isEqualTo(sig);
        assertThat(Ed25519Bc.verify(Ed25519Bc.publicKey(pub), input, sig)).isTrue();
    }

    /** RFC 8032 §5.1.7 / §8.4: S must be below L, so adding L to a valid S (the same scalar mod L) is refused. */
    @Test
    void nonCanonicalSIsRejectedLikeTheJdkDoes() throws Exception {
        KeyPair kp = Ed25519Keys.generate();
        byte[] m = "malleable?".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = jdkSign(kp.getPrivate(), m);
        byte[] malleated = withS(sig, littleEndian(sig, 32).add(L));
        byte[] sEqualsL = withS(sig, L);
        Ed25519PublicKeyParameters bc = Ed25519Bc.publicKey(kp.getPublic());
        assertThat(Ed25519Bc.verify(bc, m, sig)).isTrue();
        assertThat(Ed25519Bc.verify(bc, m, malleated)).isFalse();
        assertThat(jdkVerify(kp.getPublic(), m, malleated)).isFalse();
        assertThat(Ed25519Bc.verify(bc, m, sEqualsL)).isFalse();
        assertThat(Ed25519Bc.verify(bc, m, Arrays.copyOf(sig, 63))).isFalse();
        assertThat(Ed25519Bc.verify(bc, m, Arrays.copyOf(sig, 65))).isFalse();
    }

    /** A non-canonical encoding of R (y = p + 1, i.e. y = 1) with the otherwise valid S: refused. */
    @Test
    void nonCanonicalREncodingIsRejected() throws Exception {
        KeyPair kp = Ed25519Keys.generate();
        byte[] m = "r".getBytes(StandardCharsets.US_ASCII);
        byte[] sig = jdkSign(kp.getPrivate(), m);
        byte[] r = new byte[32];
        Arrays.fill(r, (byte) 0xff);
        r[0] = (byte) 0xee; // p + 1 = 2^255 - 18, little-endian
        r[31] = 0x7f;
        System.arraycopy(r, 0, sig, 0, 32);
        assertThat(Ed25519Bc.verify(Ed25519Bc.publicKey(kp.getPublic()), m, sig)).isFalse();
        assertThat(jdkVerify(kp.getPublic(), m, sig)).isFalse();
    }

    @Test
    void verifierRejectsAMalleatedSignatureHeader() {
        KeyPair kp = Ed25519Keys.generate();
        Instant t0 = Instant.parse("2026-11-22T12:00:00Z");
        SignedGeohash s = new GeohashSigner(kp.getPrivate(), "a", Duration.ofMinutes(5), Clock.fixed(t0, ZoneOffset.UTC),
                new SecureRandom()).sign(GeohashHint.parse("xn76c-JP"));
        GeohashSignatureVerifier verifier = new GeohashSignatureVerifier(Map.of("a", kp.getPublic()),
                Clock.fixed(t0, ZoneOffset.UTC), Duration.ofSeconds(30), Duration.ofHours(1));
        assertThat(verifier.verify(s.geohash(), s.signatureInput(), s.signature()).geohash()).isEqualTo("xn76c");
        byte[] sig = Base64.getDecoder().decode(s.signature().substring(5, s.signature().length() - 1));
        String malleated = "geo=:" + Base64.getEncoder().encodeToString(withS(sig, littleEndian(sig, 32).add(L))) + ":";
        assertThatThrownBy(() -> verifier.verify(s.geohash(), s.signatureInput(), malleated))
                .isInstanceOf(ProxyFailure.class).hasMessageContaining(GeohashSignatureVerifier.INVALID);
    }

    /** A trusted key that is no curve point: BouncyCastle cannot take it, the JDK's path refuses its signatures. */
    @Test
    void aTrustedKeyThatIsNoPointFallsBackAndFails() {
        byte[] raw = new byte[32];
        for (int y = 2; ; y++) {
            raw[0] = (byte) y;
            if (!Ed25519.validatePublicKeyPartial(raw, 0)) {
                break;
            }
        }
        PublicKey notAPoint = Ed25519Keys.publicKeyFromRaw(raw);
        assertThat(Ed25519Bc.publicKey(notAPoint)).isNull();
        KeyPair kp = Ed25519Keys.generate();
        Instant t0 = Instant.parse("2026-11-22T12:00:00Z");
        SignedGeohash s = new GeohashSigner(kp.getPrivate(), "a", Duration.ofMinutes(5), Clock.fixed(t0, ZoneOffset.UTC),
                new SecureRandom()).sign(GeohashHint.parse("xn76c-JP"));
        GeohashSignatureVerifier verifier = new GeohashSignatureVerifier(Map.of("a", notAPoint),
                Clock.fixed(t0, ZoneOffset.UTC), Duration.ofSeconds(30), Duration.ofHours(1));
        assertThatThrownBy(() -> verifier.verify(s.geohash(), s.signatureInput(), s.signature()))
                .isInstanceOf(ProxyFailure.class).hasMessageContaining(GeohashSignatureVerifier.INVALID);
    }

    static BigInteger littleEndian(byte[] b, int off) {
        byte[] be = new byte[32];
        for (int i = 0; i < 32; i++) {
            be[i] = b[off + 31 - i];
        }
        return new BigInteger(1, be);
    }

    static byte[] withS(byte[] sig, BigInteger s) {
        byte[] out = Arrays.copyOf(sig, 64);
        byte[] be = s.toByteArray();
        Arrays.fill(out, 32, 64, (byte) 0);
        for (int i = 0; i < be.length && i < 33; i++) {
            int idx = be.length - 1 - i; // least significant first
            if (i < 32) {
                out[32 + i] = be[idx];
            }
        }
        return out;
    }
}
