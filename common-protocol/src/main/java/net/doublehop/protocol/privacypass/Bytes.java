package net.doublehop.protocol.privacypass;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Byte helpers shared by the records here, which copy arrays in and out so they stay immutable. */
final class Bytes {

    private Bytes() {
    }

    static byte[] copy(byte[] b) {
        return b == null ? null : b.clone();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >>> 8), (byte) v};
    }

    static byte[] sha256(byte[] data) {
        return digest("SHA-256", data);
    }

    static byte[] digest(String algorithm, byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every JDK", e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static void requireLength(String field, byte[] b, int length) {
        if (b == null || b.length != length) {
            throw new IllegalArgumentException(field + " must be " + length + " bytes, not "
                    + (b == null ? "null" : b.length));
        }
    }
}
