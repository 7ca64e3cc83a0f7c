package net.doublehop.protocol.privacypass;

import java.util.Objects;

/**
 * A token whose authenticator verified, and the issuer key that verified it. A double-spend store
 * keys on {@link #nonce()} with {@link #tokenKeyId()} (and the challenge digest, for context-bound tokens).
 */
public record VerifiedToken(Token token, IssuerPublicKey issuerKey) {

    public VerifiedToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(issuerKey, "issuerKey");
    }

    public byte[] nonce() {
        return token.nonce();
    }

    public byte[] tokenKeyId() {
        return token.tokenKeyId();
    }

    public byte[] challengeDigest() {
        return token.challengeDigest();
    }
}
