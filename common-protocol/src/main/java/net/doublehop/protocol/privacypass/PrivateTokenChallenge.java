package net.doublehop.protocol.privacypass;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One PrivateToken challenge of a WWW-Authenticate or Proxy-Authenticate field (RFC 9577 §2.1.2):
 * the TokenChallenge bytes, the issuer's token-key bytes (absent when the client gets the key out of
 * band) and max-age. The bytes are kept as sent: a client must ignore challenges of token types it
 * does not know, so they are decoded only on request.
 */
public record PrivateTokenChallenge(byte[] challenge, byte[] tokenKey, OptionalLong maxAge) {

    public PrivateTokenChallenge {
        Objects.requireNonNull(challenge, "challenge");
        Objects.requireNonNull(maxAge, "maxAge");
        if (challenge.length < 2) {
            throw new MalformedException(Reason.TRUNCATED, "a TokenChallenge starts with a 2-byte token_type");
        }
        if (maxAge.isPresent() && maxAge.getAsLong() < 0) {
            throw new IllegalArgumentException("max-age is a number of seconds");
        }
        challenge = challenge.clone();
        tokenKey = Bytes.copy(tokenKey);
    }

    /** A challenge for a token type 0x0002 issuer key, with or without a max-age. */
    public static PrivateTokenChallenge of(TokenChallenge challenge, IssuerPublicKey key, OptionalLong maxAge) {
        return new PrivateTokenChallenge(challenge.encode(), key.spki(), maxAge);
    }

    /** The token_type the TokenChallenge starts with (§2.1.1). */
    public int tokenType() {
        return ((challenge[0] & 0xff) << 8) | (challenge[1] & 0xff);
    }

    /** The TokenChallenge, decoded with the default structure (§2.1.1). */
    public TokenChallenge tokenChallenge() {
        return TokenChallenge.decode(challenge);
    }

    /** The token-key as a token type 0x0002 issuer key (RFC 9578 §6.5 encoding). */
    public IssuerPublicKey issuerKey() {
        if (tokenKey == null) {
            throw new MalformedException(Reason.MISSING_PARAMETER, "token-key");
        }
        return IssuerPublicKey.fromSpki(tokenKey);
    }

    public boolean hasTokenKey() {
        return tokenKey != null;
    }

    @Override
    public byte[] challenge() {
        return challenge.clone();
    }

    /** The token-key bytes, or null when the challenge has none. */
    @Override
    public byte[] tokenKey() {
        return Bytes.copy(tokenKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivateTokenChallenge c && Arrays.equals(c.challenge, challenge)
                && Arrays.equals(c.tokenKey, tokenKey) && c.maxAge.equals(maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(challenge), Arrays.hashCode(tokenKey), maxAge);
    }

    @Override
    public String toString() {
        return String.format("PrivateTokenChallenge[token_type=0x%04x, challenge=%s, token-key=%s, max-age=%s]",
                tokenType(), Bytes.hex(challenge), tokenKey == null ? "absent" : tokenKey.length + " bytes", maxAge);
    }
}
