package net.doublehop.protocol.privacypass;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;

/** The RSA primitives of RFC 8017 §4 and §5.2 on BigInteger, as RFC 9474 uses them. */
final class RsaPrimitives {

    private RsaPrimitives() {
    }

    /** modulus_len: the length in bytes of n. */
    static int modulusLength(BigInteger n) {
        return (n.bitLength() + 7) / 8;
    }

    /** I2OSP (RFC 8017 §4.1): x as exactly {@code length} big-endian bytes. */
    static byte[] i2osp(BigInteger x, int length) {
        if (x.signum() < 0) {
            throw new IllegalArgumentException("I2OSP of a negative integer");
        }
        byte[] b = x.toByteArray(); // minimal two's complement: may have one leading 0x00
        int start = b.length > 1 && b[0] == 0 ? 1 : 0;
        int n = b.length - start;
        if (n > length) {
            throw new IllegalArgumentException("integer too large for " + length + " bytes");
        }
        byte[] out = new byte[length];
        System.arraycopy(b, start, out, length - n, n);
        return out;
    }

    /** OS2IP (RFC 8017 §4.2): big-endian bytes as a non-negative integer. */
    static BigInteger os2ip(byte[] b) {
        return new BigInteger(1, b);
    }

    /** RSAVP1 (RFC 8017 §5.2.2): s^e mod n, for 0 <= s < n. */
    static BigInteger rsavp1(RSAPublicKey pk, BigInteger s) {
        return s.modPow(pk.getPublicExponent(), pk.getModulus());
    }

    /**
     * RSASP1 (RFC 8017 §5.2.1): m^d mod n, for 0 <= m < n, computed with CRT and with the input blinded
     * by a fresh random factor so its timing says nothing about m or d (RFC 9474 §7.1 asks for such a
     * mitigation; BigInteger.modPow is not constant-time).
     */
    static BigInteger rsasp1(RSAPrivateCrtKey sk, BigInteger m, SecureRandom random) {
        BigInteger n = sk.getModulus();
        BigInteger e = sk.getPublicExponent();
        BigInteger b;
        BigInteger bInv;
        while (true) {
            b = randomBelow(n, random);
            if (b.signum() > 0 && b.gcd(n).equals(BigInteger.ONE)) {
                bInv = b.modInverse(n);
                break;
            }
        }
        BigInteger blinded = m.multiply(b.modPow(e, n)).mod(n);
        return crt(sk, blinded).multiply(bInv).mod(n);
    }

    private static BigInteger crt(RSAPrivateCrtKey sk, BigInteger c) {
        BigInteger p = sk.getPrimeP();
        BigInteger q = sk.getPrimeQ();
        if (p == null || q == null || p.signum() == 0 || q.signum() == 0) {
            return c.modPow(sk.getPrivateExponent(), sk.getModulus());
        }
        BigInteger m1 = c.mod(p).modPow(sk.getPrimeExponentP(), p);
        BigInteger m2 = c.mod(q).modPow(sk.getPrimeExponentQ(), q);
        BigInteger h = sk.getCrtCoefficient().multiply(m1.subtract(m2)).mod(p);
        return m2.add(h.multiply(q));
    }

    /** A uniform integer in [0, n) by rejection sampling. */
    static BigInteger randomBelow(BigInteger n, SecureRandom random) {
        BigInteger r;
        do {
            r = new BigInteger(n.bitLength(), random);
        } while (r.compareTo(n) >= 0);
        return r;
    }
}
