package net.doublehop.protocol.privacypass;

/** A failure of an RSABSSA operation, named as RFC 9474 §4 names its errors. */
public final class BlindRsaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The errors of RFC 9474 §4.2-§4.4 (plus "message representative out of range" of RFC 8017 RSASP1/RSAVP1). */
    public enum Error {
        /** EMSA-PSS-ENCODE: the modulus is too small for the hash and salt (RFC 8017 §9.1.1 step 3). */
        ENCODING_ERROR("encoding error"),
        /** Blind: the blinding factor had no inverse mod n (so it shares a factor with n). */
        BLINDING_ERROR("blinding error"),
        /** Blind: the encoded message is not co-prime with n; the public key is likely invalid. */
        INVALID_INPUT("invalid input"),
        /** BlindSign: RSAVP1 of the signature did not give back the blinded message (a fault). */
        SIGNING_FAILURE("signing failure"),
        /** RSASP1: the blinded message, as an integer, is not below n. */
        MESSAGE_REPRESENTATIVE_OUT_OF_RANGE("message representative out of range"),
        /** Finalize: the unblinded signature does not verify. */
        INVALID_SIGNATURE("invalid signature"),
        /** A byte string input is not modulus_len bytes long. */
        UNEXPECTED_INPUT_SIZE("unexpected input size");

        private final String text;

        Error(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    private final Error error;

    public BlindRsaException(Error error, String detail) {
        super(error.text() + ": " + detail);
        this.error = error;
    }

    public Error error() {
        return error;
    }
}
