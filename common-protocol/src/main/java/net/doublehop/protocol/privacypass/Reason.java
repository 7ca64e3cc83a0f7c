package net.doublehop.protocol.privacypass;

/**
 * Why a Privacy Pass input was refused. {@link #status()} is the answer an origin gives on redemption:
 * 400 for input that is not well formed, 401 for well-formed credentials it will not accept (a proxy
 * answers 407 instead, RFC 9110 §15.5.8). An issuer answers 422 to every refusal of a TokenRequest
 * (RFC 9578 §6.2), whatever the reason.
 */
public enum Reason {
    /** A structure ended before its fields did. */
    TRUNCATED("truncated", true),
    /** Bytes follow the last field of a structure. */
    TRAILING_BYTES("trailing bytes", true),
    /** A field has a length or content its structure forbids (e.g. a 16-byte redemption_context). */
    INVALID_FIELD("invalid field", true),
    /** The header is not RFC 9110 §11 challenge or credentials syntax. */
    HEADER_SYNTAX("header syntax", true),
    /** The credentials are not of the PrivateToken scheme. */
    WRONG_SCHEME("not PrivateToken", true),
    /** A required auth-param is absent. */
    MISSING_PARAMETER("missing parameter", true),
    /** An auth-param occurs twice in one challenge or credentials (RFC 9110 §11.2 forbids it). */
    DUPLICATE_PARAMETER("duplicate parameter", true),
    /** A value is not base64url (RFC 4648 §5): wrong alphabet, bad length, bad padding or non-zero pad bits. */
    INVALID_BASE64URL("invalid base64url", true),
    /** A base64url value without its padding, which RFC 9577 §2.1.1 and §2.2.2 require. */
    UNPADDED_BASE64URL("base64url without padding", true),
    /** max-age is not a number of seconds. */
    INVALID_MAX_AGE("invalid max-age", true),
    /** A token-key or key file that is not an RSA key in the required encoding. */
    INVALID_KEY("invalid key", true),

    /** A token or request of a token type this code does not support. */
    UNSUPPORTED_TOKEN_TYPE("unsupported token type", false),
    /** The token names a token_key_id that is not one of the trusted issuer keys. */
    UNKNOWN_TOKEN_KEY("unknown token key", false),
    /** The TokenRequest's truncated_token_key_id is not the issuer's. */
    UNKNOWN_TRUNCATED_KEY_ID("unknown truncated token key id", false),
    /** The token's challenge_digest is not that of an acceptable challenge. */
    CHALLENGE_MISMATCH("challenge mismatch", false),
    /** The authenticator is not a valid signature over the token input. */
    INVALID_AUTHENTICATOR("invalid authenticator", false);

    private final String code;
    private final boolean malformed;

    Reason(String code, boolean malformed) {
        this.code = code;
        this.malformed = malformed;
    }

    /** Short text for logs and error details; no input bytes in it. */
    public String code() {
        return code;
    }

    public boolean malformed() {
        return malformed;
    }

    /** The redemption status: 400 for malformed input, 401 for refused credentials. */
    public int status() {
        return malformed ? 400 : 401;
    }
}
