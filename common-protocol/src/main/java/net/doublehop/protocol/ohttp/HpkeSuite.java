package net.doublehop.protocol.ohttp;

import org.bouncycastle.crypto.hpke.HPKE;

/**
 * The HPKE algorithm identifiers this package supports (RFC 9180 §7, IANA HPKE registry) and their sizes.
 * One KEM and one KDF: DHKEM(X25519, HKDF-SHA256) and HKDF-SHA256, the pair RFC 9458's example and
 * every known OHTTP deployment use; three AEADs.
 */
public final class HpkeSuite {

    public static final int KEM_X25519_SHA256 = HPKE.kem_X25519_SHA256; // 0x0020
    public static final int KDF_HKDF_SHA256 = HPKE.kdf_HKDF_SHA256; // 0x0001
    public static final int AEAD_AES_128_GCM = HPKE.aead_AES_GCM128; // 0x0001
    public static final int AEAD_AES_256_GCM = HPKE.aead_AES_GCM256; // 0x0002
    public static final int AEAD_CHACHA20_POLY1305 = HPKE.aead_CHACHA20_POLY1305; // 0x0003

    /** Npk and Nenc of X25519 (RFC 9180 §7.1). */
    public static final int X25519_KEY_LENGTH = 32;

    private HpkeSuite() {
    }

    public static boolean supportsKem(int kemId) {
        return kemId == KEM_X25519_SHA256;
    }

    public static boolean supports(int kdfId, int aeadId) {
        return kdfId == KDF_HKDF_SHA256
                && (aeadId == AEAD_AES_128_GCM || aeadId == AEAD_AES_256_GCM || aeadId == AEAD_CHACHA20_POLY1305);
    }

    /** Nk: the AEAD's key length. */
    static int keyLength(int aeadId) {
        return switch (aeadId) {
            case AEAD_AES_128_GCM -> 16;
            case AEAD_AES_256_GCM, AEAD_CHACHA20_POLY1305 -> 32;
            default -> throw new IllegalArgumentException("unsupported AEAD " + aeadId);
        };
    }

    /** Nn: the AEAD's nonce length (12 for all three). */
    static int nonceLength(int aeadId) {
        keyLength(aeadId);
        return 12;
    }

    /** A name for logs and help texts. */
    public static String aeadName(int aeadId) {
        return switch (aeadId) {
            case AEAD_AES_128_GCM -> "AES-128-GCM";
            case AEAD_AES_256_GCM -> "AES-256-GCM";
            case AEAD_CHACHA20_POLY1305 -> "ChaCha20Poly1305";
            default -> "AEAD " + aeadId;
        };
    }

    static HPKE hpke(int kdfId, int aeadId) {
        return new HPKE(HPKE.mode_base, (short) KEM_X25519_SHA256, (short) kdfId, (short) aeadId);
    }
}
