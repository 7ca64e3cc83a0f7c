package net.doublehop.protocol.privacypass;

import java.util.Arrays;

/**
 * The Token of RFC 9577 §2.2 as token type 0x0002 fills it (RFC 9578 §6.3):
 * <pre>
 * struct {
 *   uint16_t token_type = 0x0002;
 *   uint8_t nonce[32];
 *   uint8_t challenge_digest[32];
 *   uint8_t token_key_id[32];
 *   uint8_t authenticator[Nk];
 * } Token;
 * </pre>
 * {@link #nonce()} and {@link #tokenKeyId()} are what a double-spend store keys on.
 */
public record Token(int tokenType, byte[] nonce, byte[] challengeDigest, byte[] tokenKeyId, byte[] authenticator) {

    public Token {
        int nk = TokenType.nk(tokenType);
        Bytes.requireLength("nonce", nonce, TokenType.NONCE_LENGTH);
        Bytes.requireLength("challenge_digest", challengeDigest, TokenType.DIGEST_LENGTH);
        Bytes.requireLength("token_key_id", tokenKeyId, TokenType.NID);
        Bytes.requireLength("authenticator", authenticator, nk);
        nonce = nonce.clone();
        challengeDigest = challengeDigest.clone();
        tokenKeyId = tokenKeyId.clone();
        authenticator = authenticator.clone();
    }

    public static Token decode(byte[] bytes) {
        WireReader r = new WireReader(bytes, "Token");
        int type = r.u16("token_type");
        int nk = TokenType.nk(type);
        byte[] nonce = r.fixed(TokenType.NONCE_LENGTH, "nonce");
        byte[] digest = r.fixed(TokenType.DIGEST_LENGTH, "challenge_digest");
        byte[] keyId = r.fixed(TokenType.NID, "token_key_id");
        byte[] authenticator = r.fixed(nk, "authenticator");
        r.end();
        return new Token(type, nonce, digest, keyId, authenticator);
    }

    public byte[] encode() {
        return Bytes.concat(authenticatorInput(), authenticator);
    }

    /**
     * token_type || nonce || challenge_digest || token_key_id: the AuthenticatorInput of RFC 9577 §2.2.3,
     * which is the token_input the issuer blindly signed (RFC 9578 §6.1).
     */
    public byte[] authenticatorInput() {
        return authenticatorInput(tokenType, nonce, challengeDigest, tokenKeyId);
    }

    static byte[] authenticatorInput(int tokenType, byte[] nonce, byte[] challengeDigest, byte[] tokenKeyId) {
        return Bytes.concat(Bytes.u16(tokenType), nonce, challengeDigest, tokenKeyId);
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }

    @Override
    public byte[] challengeDigest() {
        return challengeDigest.clone();
    }

    @Override
    public byte[] tokenKeyId() {
        return tokenKeyId.clone();
    }

    @Override
    public byte[] authenticator() {
        return authenticator.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Token t && t.tokenType == tokenType && Arrays.equals(t.nonce, nonce)
                && Arrays.equals(t.challengeDigest, challengeDigest) && Arrays.equals(t.tokenKeyId, tokenKeyId)
                && Arrays.equals(t.authenticator, authenticator);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        return String.format("Token[token_type=0x%04x, nonce=%s, challenge_digest=%s, token_key_id=%s]",
                tokenType, Bytes.hex(nonce), Bytes.hex(challengeDigest), Bytes.hex(tokenKeyId));
    }
}
