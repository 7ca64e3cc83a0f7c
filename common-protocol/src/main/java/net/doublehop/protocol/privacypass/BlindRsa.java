package net.doublehop.protocol.privacypass;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * RSA blind signatures, RFC 9474 §4 (Prepare, Blind, BlindSign, Finalize, Verification) for the named
 * variants of §5. Privacy Pass token type 0x0002 uses {@link Variant#SHA384_PSS_DETERMINISTIC}.
 *
 * <p>Blind passes {@code bit_len(n) - 1} as EMSA-PSS-ENCODE's emBits, as RSASSA-PSS-SIGN does
 * (RFC 8017 §8.1.1): the signature must pass RSASSA-PSS-VERIFY, which decodes with modBits - 1, and
 * the published vectors are encoded that way.
 */
public final class BlindRsa {

    /** The prefix PrepareRandomize adds (RFC 9474 §4.1). */
    public static final int PREFIX_LENGTH = 32;

    /** The named variants of RFC 9474 §5; all use SHA-384 and MGF1-SHA-384. */
    public enum Variant {
        SHA384_PSS_RANDOMIZED("RSABSSA-SHA384-PSS-Randomized", 48, true),
        SHA384_PSSZERO_RANDOMIZED("RSABSSA-SHA384-PSSZERO-Randomized", 0, true),
        SHA384_PSS_DETERMINISTIC("RSABSSA-SHA384-PSS-Deterministic", 48, false),
        SHA384_PSSZERO_DETERMINISTIC("RSABSSA-SHA384-PSSZERO-Deterministic", 0, false);

        private final String rfcName;
        private final int saltLength;
        private final boolean randomized;

        Variant(String rfcName, int saltLength, boolean randomized) {
            this.rfcName = rfcName;
            this.saltLength = saltLength;
            this.randomized = randomized;
        }

        public String rfcName() {
            return rfcName;
        }

        public int saltLength() {
            return saltLength;
        }

        public boolean randomized() {
            return randomized;
        }
    }

    private final Variant variant;

    private BlindRsa(Variant variant) {
        this.variant = Objects.requireNonNull(variant, "variant");
    }

    public static BlindRsa of(Variant variant) {
        return new BlindRsa(variant);
    }

    public Variant variant() {
        return variant;
    }

    /** Prepare (§4.1): the identity, or a fresh 32-byte random prefix for the randomized variants. */
    public byte[] prepare(byte[] msg, SecureRandom random) {
        if (!variant.randomized) {
            return msg.clone();
        }
        byte[] prefix = new byte[PREFIX_LENGTH];
        random.nextBytes(prefix);
        return prepare(msg, prefix);
    }

    /** PrepareRandomize with a given prefix: for the published vectors only (§7.4: callers must not pick it). */
    byte[] prepare(byte[] msg, byte[] prefix) {
        if (!variant.randomized) {
            return msg.clone();
        }
        Bytes.requireLength("msg_prefix", prefix, PREFIX_LENGTH);
        return Bytes.concat(prefix, msg);
    }

    /** The application message of a prepared message (§4.5): the prepared message less any random prefix. */
    public byte[] applicationMessage(byte[] preparedMsg) {
        if (!variant.randomized) {
            return preparedMsg.clone();
        }
        if (preparedMsg.length < PREFIX_LENGTH) {
            throw new IllegalArgumentException("a randomized prepared message has a 32-byte prefix");
        }
        return Arrays.copyOfRange(preparedMsg, PREFIX_LENGTH, preparedMsg.length);
    }

    /** Blind (§4.2) with a fresh salt and blind; retries the negligible "blinding error" as §4.2 advises. */
    public BlindedMessage blind(RSAPublicKey pk, byte[] preparedMsg, SecureRandom random) {
        byte[] salt = new byte[variant.saltLength];
        random.nextBytes(salt);
        BigInteger n = pk.getModulus();
        for (int attempt = 0; ; attempt++) {
            BigInteger r = RsaPrimitives.randomBelow(n, random);
            if (r.signum() == 0) {
                continue; // random_integer_uniform(1, n)
            }
            try {
                return blind(pk, preparedMsg, salt, r);
            } catch (BlindRsaException e) {
                if (e.error() != BlindRsaException.Error.BLINDING_ERROR || attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    /** Blind with a given salt and blind r: for the published vectors only (§7.4: callers must not pick them). */
    BlindedMessage blind(RSAPublicKey pk, byte[] preparedMsg, byte[] salt, BigInteger r) {
        Bytes.requireLength("salt", salt, variant.saltLength);
        BigInteger n = pk.getModulus();
        byte[] encoded = EmsaPss.encode(preparedMsg, n.bitLength() - 1, salt);
        BigInteger m = RsaPrimitives.os2ip(encoded);
        if (!m.gcd(n).equals(BigInteger.ONE)) {
            throw new BlindRsaException(BlindRsaException.Error.INVALID_INPUT, "message not co-prime with n");
        }
        if (r.signum() <= 0 || r.compareTo(n) >= 0) {
            throw new IllegalArgumentException("the blind is in [1, n)");
        }
        BigInteger inv;
        try {
            inv = r.modInverse(n);
        } catch (ArithmeticException e) {
            throw new BlindRsaException(BlindRsaException.Error.BLINDING_ERROR, "blind not invertible mod n");
        }
        BigInteger x = RsaPrimitives.rsavp1(pk, r);
        BigInteger z = m.multiply(x).mod(n);
        return new BlindedMessage(RsaPrimitives.i2osp(z, RsaPrimitives.modulusLength(n)), inv);
    }

    /**
     * BlindSign (§4.3): RSASP1, then RSAVP1 of the result must give back the input, which catches a
     * faulty private-key operation before it can leak the key (§7.1). Same for every variant.
     */
    public static byte[] blindSign(RSAPrivateCrtKey sk, byte[] blindedMsg, SecureRandom random) {
        BigInteger n = sk.getModulus();
        int k = RsaPrimitives.modulusLength(n);
        if (blindedMsg.length != k) {
            throw new BlindRsaException(BlindRsaException.Error.UNEXPECTED_INPUT_SIZE,
                    "blinded_msg of " + blindedMsg.length + " bytes, modulus_len " + k);
        }
        BigInteger m = RsaPrimitives.os2ip(blindedMsg);
        if (m.compareTo(n) >= 0) {
            throw new BlindRsaException(BlindRsaException.Error.MESSAGE_REPRESENTATIVE_OUT_OF_RANGE, "m >= n");
        }
        BigInteger s = RsaPrimitives.rsasp1(sk, m, random);
        BigInteger check = s.modPow(sk.getPublicExponent(), n);
        if (!check.equals(m)) {
            throw new BlindRsaException(BlindRsaException.Error.SIGNING_FAILURE, "RSAVP1(RSASP1(m)) != m");
        }
        return RsaPrimitives.i2osp(s, k);
    }

    /** Finalize (§4.4): unblind, then the result must pass RSASSA-PSS-VERIFY or nothing is returned. */
    public byte[] finalizeSignature(RSAPublicKey pk, byte[] preparedMsg, byte[] blindSig, BigInteger inverse) {
        BigInteger n = pk.getModulus();
        int k = RsaPrimitives.modulusLength(n);
        if (blindSig.length != k) {
            throw new BlindRsaException(BlindRsaException.Error.UNEXPECTED_INPUT_SIZE,
                    "blind_sig of " + blindSig.length + " bytes, modulus_len " + k);
        }
        BigInteger z = RsaPrimitives.os2ip(blindSig);
        byte[] sig = RsaPrimitives.i2osp(z.multiply(inverse).mod(n), k);
        if (!verify(pk, preparedMsg, sig)) {
            throw new BlindRsaException(BlindRsaException.Error.INVALID_SIGNATURE, "unblinded signature does not verify");
        }
        return sig;
    }

    /** Verification (§4.5): RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) of the prepared message with this variant's salt length. */
    public boolean verify(RSAPublicKey pk, byte[] preparedMsg, byte[] sig) {
        BigInteger n = pk.getModulus();
        int k = RsaPrimitives.modulusLength(n);
        if (sig.length != k) {
            return false;
        }
        BigInteger s = RsaPrimitives.os2ip(sig);
        if (s.compareTo(n) >= 0) {
            return false; // RSAVP1: signature representative out of range
        }
        int emBits = n.bitLength() - 1;
        int emLen = (emBits + 7) / 8;
        BigInteger m = RsaPrimitives.rsavp1(pk, s);
        if (m.bitLength() > 8 * emLen) {
            return false; // I2OSP(m, emLen) fails: "integer too large", so "invalid signature"
        }
        byte[] em = RsaPrimitives.i2osp(m, emLen);
        return EmsaPss.verify(preparedMsg, em, emBits, variant.saltLength);
    }
}
