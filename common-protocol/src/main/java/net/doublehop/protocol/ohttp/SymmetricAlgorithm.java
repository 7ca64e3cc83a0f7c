package net.doublehop.protocol.ohttp;

/** One "HPKE Symmetric Algorithms" entry of a key configuration (RFC 9458 §3.1): a KDF and an AEAD. */
public record SymmetricAlgorithm(int kdfId, int aeadId) {

    public static final SymmetricAlgorithm HKDF_SHA256_AES_128_GCM =
            new SymmetricAlgorithm(HpkeSuite.KDF_HKDF_SHA256, HpkeSuite.AEAD_AES_128_GCM);
    public static final SymmetricAlgorithm HKDF_SHA256_AES_256_GCM =
            new SymmetricAlgorithm(HpkeSuite.KDF_HKDF_SHA256, HpkeSuite.AEAD_AES_256_GCM);
    public static final SymmetricAlgorithm HKDF_SHA256_CHACHA20_POLY1305 =
            new SymmetricAlgorithm(HpkeSuite.KDF_HKDF_SHA256, HpkeSuite.AEAD_CHACHA20_POLY1305);

    public SymmetricAlgorithm {
        if (kdfId < 0 || kdfId > 0xffff || aeadId < 0 || aeadId > 0xffff) {
            throw new IllegalArgumentException("KDF and AEAD ids are 16-bit");
        }
    }

    public boolean supported() {
        return HpkeSuite.supports(kdfId, aeadId);
    }
}
