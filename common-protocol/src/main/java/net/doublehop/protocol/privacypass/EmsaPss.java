package net.doublehop.protocol.privacypass;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * EMSA-PSS (RFC 8017 §9.1) with SHA-384 and MGF1-SHA-384, the hash and MGF of every RSABSSA variant
 * (RFC 9474 §5). Written out because Blind needs EMSA-PSS-ENCODE on its own, which the JDK does not expose.
 */
final class EmsaPss {

    static final int H_LEN = 48;

    private EmsaPss() {
    }

    /** EMSA-PSS-ENCODE(M, emBits) with the given salt (sLen = salt.length). */
    static byte[] encode(byte[] message, int emBits, byte[] salt) {
        int emLen = (emBits + 7) / 8;
        int sLen = salt.length;
        // Step 1 ("message too long") cannot happen: a Java array is far below SHA-384's 2^128-bit limit.
        byte[] mHash = sha384(message);
        if (emLen < H_LEN + sLen + 2) {
            throw new BlindRsaException(BlindRsaException.Error.ENCODING_ERROR, "modulus too small for the salt");
        }
        byte[] h = sha384(new byte[8], mHash, salt);
        byte[] db = new byte[emLen - H_LEN - 1];
        db[db.length - sLen - 1] = 0x01; // PS (zeros) || 0x01 || salt
        System.arraycopy(salt, 0, db, db.length - sLen, sLen);
        byte[] mask = mgf1(h, db.length);
        for (int i = 0; i < db.length; i++) {
            db[i] ^= mask[i];
        }
        db[0] &= (byte) (0xff >>> (8 * emLen - emBits));
        byte[] em = new byte[emLen];
        System.arraycopy(db, 0, em, 0, db.length);
        System.arraycopy(h, 0, em, db.length, H_LEN);
        em[emLen - 1] = (byte) 0xbc;
        return em;
    }

    /** EMSA-PSS-VERIFY(M, EM, emBits) with a fixed salt length; true for "consistent". */
    static boolean verify(byte[] message, byte[] em, int emBits, int sLen) {
        int emLen = (emBits + 7) / 8;
        if (em.length != emLen || emLen < H_LEN + sLen + 2 || em[emLen - 1] != (byte) 0xbc) {
            return false;
        }
        byte[] mHash = sha384(message);
        int dbLen = emLen - H_LEN - 1;
        byte[] db = Arrays.copyOf(em, dbLen);
        byte[] h = Arrays.copyOfRange(em, dbLen, dbLen + H_LEN);
        int topBits = 8 * emLen - emBits;
        if (topBits > 0 && ((db[0] & 0xff) >>> (8 - topBits)) != 0) {
            return false;
        }
        byte[] mask = mgf1(h, dbLen);
        for (int i = 0; i < dbLen; i++) {
            db[i] ^= mask[i];
        }
        db[0] &= (byte) (0xff >>> topBits);
        int psLen = emLen - H_LEN - sLen - 2;
        for (int i = 0; i < psLen; i++) {
            if (db[i] != 0) {
                return false;
            }
        }
        if (db[psLen] != 0x01) {
            return false;
        }
        byte[] salt = Arrays.copyOfRange(db, dbLen - sLen, dbLen);
        return MessageDigest.isEqual(h, sha384(new byte[8], mHash, salt));
    }

    /** MGF1 (RFC 8017 §B.2.1) with SHA-384. */
    static byte[] mgf1(byte[] seed, int length) {
        byte[] out = new byte[length];
        int at = 0;
        for (int counter = 0; at < length; counter++) {
            byte[] c = {(byte) (counter >>> 24), (byte) (counter >>> 16), (byte) (counter >>> 8), (byte) counter};
            byte[] block = sha384(seed, c);
            int n = Math.min(block.length, length - at);
            System.arraycopy(block, 0, out, at, n);
            at += n;
        }
        return out;
    }

    private static byte[] sha384(byte[]... parts) {
        return Bytes.digest("SHA-384", parts);
    }
}
