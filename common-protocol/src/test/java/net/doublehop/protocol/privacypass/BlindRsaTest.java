package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** RSABSSA (RFC 9474) against its Appendix A vectors, the JDK's own RSASSA-PSS, and bad inputs. */
class BlindRsaTest {

    static final SecureRandom RANDOM = new SecureRandom();

    static Stream<Vectors.Vector> rfc9474Vectors() {
        List<Vectors.Vector> all = Vectors.rfc9474();
        assertThat(all).extracting(Vectors.Vector::title).containsExactly("RSABSSA-SHA384-PSS-Randomized",
                "RSABSSA-SHA384-PSSZERO-Randomized", "RSABSSA-SHA384-PSS-Deterministic",
                "RSABSSA-SHA384-PSSZERO-Deterministic");
        return all.stream();
    }

    static BlindRsa.Variant variant(String rfcName) {
        return Stream.of(BlindRsa.Variant.values()).filter(v -> v.rfcName().equals(rfcName)).findFirst().orElseThrow();
    }

    static RSAPublicKey publicKey(Vectors.Vector v) throws Exception {
        return (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(new BigInteger(1, v.bytes("n")), new BigInteger(1, v.bytes("e"))));
    }

    static RSAPrivateCrtKey privateKey(Vectors.Vector v) throws Exception {
        BigInteger p = new BigInteger(1, v.bytes("p"));
        BigInteger q = new BigInteger(1, v.bytes("q"));
        BigInteger d = new BigInteger(1, v.bytes("d"));
        return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(
                new BigInteger(1, v.bytes("n")), new BigInteger(1, v.bytes("e")), d, p, q,
                d.mod(p.subtract(BigInteger.ONE)), d.mod(q.subtract(BigInteger.ONE)), q.modInverse(p)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rfc9474Vectors")
    void appendixAVector(Vectors.Vector v) throws Exception {
        BlindRsa rsa = BlindRsa.of(variant(v.title()));
        RSAPublicKey pk = publicKey(v);
        RSAPrivateCrtKey sk = privateKey(v);

        byte[] prepared = rsa.prepare(v.bytes("msg"), rsa.variant().randomized() ? v.bytes("msg_prefix") : null);
        assertThat(prepared).isEqualTo(v.bytes("prepared_msg"));
        assertThat(rsa.applicationMessage(prepared)).isEqualTo(v.bytes("msg"));

        byte[] salt = v.bytes("salt");
        assertThat(EmsaPss.encode(prepared, pk.getModulus().bitLength() - 1, salt)).isEqualTo(v.bytes("encoded_msg"));

        // The vectors give inv; the blind r is its inverse mod n.
        BigInteger inv = new BigInteger(1, v.bytes("inv"));
        BigInteger r = inv.modInverse(pk.getModulus());
        BlindedMessage blinded = rsa.blind(pk, prepared, salt, r);
        assertThat(blinded.blindedMsg()).isEqualTo(v.bytes("blinded_msg"));
        assertThat(blinded.inverse()).isEqualTo(inv);

        byte[] blindSig = BlindRsa.blindSign(sk, blinded.blindedMsg(), RANDOM);
        assertThat(blindSig).isEqualTo(v.bytes("blind_sig"));

        byte[] sig = rsa.finalizeSignature(pk, prepared, blindSig, inv);
        assertThat(sig).isEqualTo(v.bytes("sig"));
        assertThat(rsa.verify(pk, prepared, sig)).isTrue();
        assertThat(jdkVerify(pk, prepared, sig, rsa.variant().saltLength())).isTrue();
    }

    @ParameterizedTest
    @EnumSource(BlindRsa.Variant.class)
    void randomRoundTripVerifiesWithTheJdk(BlindRsa.Variant variant) throws Exception {
        RSAPrivateCrtKey sk = Keys.ISSUER_PRIVATE;
        RSAPublicKey pk = Keys.ISSUER_PUBLIC;
        BlindRsa rsa = BlindRsa.of(variant);
        byte[] prepared = rsa.prepare("hello".getBytes(), RANDOM);
        assertThat(prepared).hasSize(variant.randomized() ? 37 : 5);
        BlindedMessage b = rsa.blind(pk, prepared, RANDOM);
        byte[] sig = rsa.finalizeSignature(pk, prepared, BlindRsa.blindSign(sk, b.blindedMsg(), RANDOM), b.inverse());
        assertThat(rsa.verify(pk, prepared, sig)).isTrue();
        assertThat(jdkVerify(pk, prepared, sig, variant.saltLength())).isTrue();
        // A second run blinds differently: the signer cannot link the two.
        assertThat(rsa.blind(pk, prepared, RANDOM).blindedMsg()).isNotEqualTo(b.blindedMsg());
    }

    @Test
    void verifyRejectsWrongMessageFlippedBitsAndOtherSaltLength() {
        BlindRsa rsa = BlindRsa.of(BlindRsa.Variant.SHA384_PSS_DETERMINISTIC);
        byte[] msg = "token input".getBytes();
        BlindedMessage b = rsa.blind(Keys.ISSUER_PUBLIC, msg, RANDOM);
        byte[] sig = rsa.finalizeSignature(Keys.ISSUER_PUBLIC, msg,
                BlindRsa.blindSign(Keys.ISSUER_PRIVATE, b.blindedMsg(), RANDOM), b.inverse());
        assertThat(rsa.verify(Keys.ISSUER_PUBLIC, "token inpuu".getBytes(), sig)).isFalse();
        for (int bit : new int[] {0, 7, 1000, 2047}) {
            byte[] flipped = sig.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(rsa.verify(Keys.ISSUER_PUBLIC, msg, flipped)).as("bit %d", bit).isFalse();
        }
        assertThat(BlindRsa.of(BlindRsa.Variant.SHA384_PSSZERO_DETERMINISTIC).verify(Keys.ISSUER_PUBLIC, msg, sig))
                .isFalse();
        assertThat(rsa.verify(Keys.ISSUER_PUBLIC, msg, java.util.Arrays.copyOf(sig, 255))).isFalse();
        assertThat(rsa.verify(Keys.ISSUER_PUBLIC, msg, RsaPrimitives.i2osp(Keys.ISSUER_PUBLIC.getModulus(), 256)))
                .isFalse();
    }

    @Test
    void finalizeRefusesABadBlindSignatureAndWrongSizes() {
        BlindRsa rsa = BlindRsa.of(BlindRsa.Variant.SHA384_PSS_DETERMINISTIC);
        byte[] msg = "m".getBytes();
        BlindedMessage b = rsa.blind(Keys.ISSUER_PUBLIC, msg, RANDOM);
        byte[] blindSig = BlindRsa.blindSign(Keys.ISSUER_PRIVATE, b.blindedMsg(), RANDOM);
        blindSig[100] ^= 4;
        assertThatThrownBy(() -> rsa.finalizeSignature(Keys.ISSUER_PUBLIC, msg, blindSig, b.inverse()))
                .isInstanceOfSatisfying(BlindRsaException.class,
                        e -> assertThat(e.error()).isEqualTo(BlindRsaException.Error.INVALID_SIGNATURE));
        assertThatThrownBy(() -> rsa.finalizeSignature(Keys.ISSUER_PUBLIC, msg, new byte[255], b.inverse()))
                .isInstanceOfSatisfying(BlindRsaException.class,
                        e -> assertThat(e.error()).isEqualTo(BlindRsaException.Error.UNEXPECTED_INPUT_SIZE));
        assertThatThrownBy(() -> BlindRsa.blindSign(Keys.ISSUER_PRIVATE, new byte[257], RANDOM))
                .isInstanceOfSatisfying(BlindRsaException.class,
                        e -> assertThat(e.error()).isEqualTo(BlindRsaException.Error.UNEXPECTED_INPUT_SIZE));
        byte[] tooBig = new byte[256];
        java.util.Arrays.fill(tooBig, (byte) 0xff);
        assertThatThrownBy(() -> BlindRsa.blindSign(Keys.ISSUER_PRIVATE, tooBig, RANDOM))
                .isInstanceOfSatisfying(BlindRsaException.class, e -> assertThat(e.error())
                        .isEqualTo(BlindRsaException.Error.MESSAGE_REPRESENTATIVE_OUT_OF_RANGE));
    }

    @Test
    void blindSignCatchesAFaultyPrivateKeyOperation() throws Exception {
        // A wrong CRT exponent stands in for a fault; §4.3's RSAVP1 check must refuse to release the result.
        RSAPrivateCrtKey k = Keys.ISSUER_PRIVATE;
        RSAPrivateCrtKey faulty = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(
                new RSAPrivateCrtKeySpec(k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(), k.getPrimeP(),
                        k.getPrimeQ(), k.getPrimeExponentP().add(BigInteger.TWO), k.getPrimeExponentQ(),
                        k.getCrtCoefficient()));
        BlindRsa rsa = BlindRsa.of(BlindRsa.Variant.SHA384_PSS_DETERMINISTIC);
        byte[] blinded = rsa.blind(Keys.ISSUER_PUBLIC, "m".getBytes(), RANDOM).blindedMsg();
        assertThatThrownBy(() -> BlindRsa.blindSign(faulty, blinded, RANDOM))
                .isInstanceOfSatisfying(BlindRsaException.class,
                        e -> assertThat(e.error()).isEqualTo(BlindRsaException.Error.SIGNING_FAILURE));
    }

    @Test
    void blindRefusesAMessageThatSharesAFactorWithN() throws Exception {
        // §4.2 steps 4-5: with n = 2m for the encoded message m, m is not co-prime with n.
        BlindRsa rsa = BlindRsa.of(BlindRsa.Variant.SHA384_PSSZERO_DETERMINISTIC);
        byte[] msg;
        BigInteger m;
        int i = 0;
        do { // find a message whose 1023-bit encoding has its top bit set, so 2m is a 1024-bit "modulus"
            msg = ("x" + i++).getBytes();
            m = new BigInteger(1, EmsaPss.encode(msg, 1023, new byte[0]));
        } while (m.bitLength() != 1023);
        RSAPublicKey sharing = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new RSAPublicKeySpec(m.shiftLeft(1), BigInteger.valueOf(65537)));
        byte[] message = msg;
        assertThatThrownBy(() -> rsa.blind(sharing, message, new byte[0], BigInteger.valueOf(3)))
                .isInstanceOfSatisfying(BlindRsaException.class,
                        e -> assertThat(e.error()).isEqualTo(BlindRsaException.Error.INVALID_INPUT));
    }

    @Test
    void wrongLengthsAreRefused() {
        BlindRsa rsa = BlindRsa.of(BlindRsa.Variant.SHA384_PSS_RANDOMIZED);
        assertThatThrownBy(() -> rsa.prepare(new byte[1], new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rsa.blind(Keys.ISSUER_PUBLIC, new byte[1], new byte[47], BigInteger.TWO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rsa.applicationMessage(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void i2ospIsConstantLengthBigEndian() {
        assertThat(RsaPrimitives.i2osp(BigInteger.ONE, 4)).containsExactly(0, 0, 0, 1);
        assertThat(RsaPrimitives.i2osp(BigInteger.valueOf(0x80ff), 3)).containsExactly(0, 0x80, 0xff);
        assertThat(RsaPrimitives.i2osp(BigInteger.ZERO, 2)).containsExactly(0, 0);
        assertThatThrownBy(() -> RsaPrimitives.i2osp(BigInteger.valueOf(0x10000), 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RsaPrimitives.os2ip(new byte[] {0, (byte) 0xff})).isEqualTo(BigInteger.valueOf(255));
    }

    /** RSASSA-PSS-VERIFY by the JDK's provider: an implementation independent of EmsaPss. */
    static boolean jdkVerify(RSAPublicKey pk, byte[] msg, byte[] sig, int saltLength) throws Exception {
        Signature s = Signature.getInstance("RSASSA-PSS");
        s.setParameter(new PSSParameterSpec("SHA-384", "MGF1", MGF1ParameterSpec.SHA384, saltLength, 1));
        s.initVerify(pk);
        s.update(msg);
        return s.verify(sig);
    }
}
