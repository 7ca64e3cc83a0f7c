package net.doublehop.protocol.ohttp;

/**
 * An Encapsulated Request, Response or key configuration that cannot be used. The reason decides the
 * answer (RFC 9458 §5.3: errors before decapsulation are sent unprotected, 4xx); the message names the
 * defect only, never key material or plaintext.
 */
public final class OhttpException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason {
        /** Too short, wrong lengths, trailing bytes: not the format of §3 or §4. */
        MALFORMED,
        /** No key with this key identifier, or not of this KEM (§4.3 step 1a). */
        UNKNOWN_KEY,
        /** A KDF / AEAD pair not offered with this key (§4.3 step 1b). */
        UNSUPPORTED_ALGORITHM,
        /** The AEAD did not open: wrong key, tampered or truncated ciphertext (§4.3 step 4, §4.4). */
        DECRYPTION_FAILED
    }

    private final Reason reason;

    public OhttpException(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
