package net.doublehop.protocol.privacypass;

/** Privacy Pass token types (IANA "Privacy Pass Token Type" registry) and their sizes. */
public final class TokenType {

    /** Blind RSA (2048-bit), RFC 9578 §8.2.2: publicly verifiable, RSABSSA-SHA384-PSS-Deterministic. */
    public static final int BLIND_RSA_2048 = 0x0002;

    /** Nk of {@link #BLIND_RSA_2048}: the size of blinded_msg, blind_sig and authenticator (a 2048-bit modulus). */
    public static final int BLIND_RSA_2048_NK = 256;

    /** Nid: the size of token_key_id, a SHA-256 digest. */
    public static final int NID = 32;

    /** Size of Token.nonce and Token.challenge_digest (RFC 9577 §2.2). */
    public static final int NONCE_LENGTH = 32;
    public static final int DIGEST_LENGTH = 32;

    private TokenType() {
    }

    /** Nk for a token type, or a refusal for a type this code does not implement. */
    static int nk(int tokenType) {
        if (tokenType == BLIND_RSA_2048) {
            return BLIND_RSA_2048_NK;
        }
        throw new TokenRejectedException(Reason.UNSUPPORTED_TOKEN_TYPE, String.format("0x%04x", tokenType));
    }
}
