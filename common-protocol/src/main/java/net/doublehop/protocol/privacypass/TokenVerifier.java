package net.doublehop.protocol.privacypass;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Token verification for token type 0x0002 (RFC 9578 §6.4, RFC 9577 §2.2.3) against a set of trusted
 * issuer keys, e.g. the current and the previous key of a rotation. Double-spend checks are the
 * caller's: they need the nonce and key id of a {@link VerifiedToken}.
 */
public final class TokenVerifier {

    private static final BlindRsa RSA = BlindRsa.of(BlindRsa.Variant.SHA384_PSS_DETERMINISTIC);

    private final Map<ByteBuffer, IssuerPublicKey> keysById = new LinkedHashMap<>();

    public TokenVerifier(Collection<IssuerPublicKey> issuerKeys) {
        for (IssuerPublicKey k : issuerKeys) {
            keysById.put(ByteBuffer.wrap(k.tokenKeyId()), k);
        }
        if (keysById.isEmpty()) {
            throw new IllegalArgumentException("at least one issuer key");
        }
    }

    /** Verifies a token issued for exactly this challenge. */
    public VerifiedToken verify(Token token, TokenChallenge challenge) {
        return verify(token, List.of(challenge.digest()));
    }

    /** Verifies a token issued for any of these challenges (e.g. the ones this origin currently sends). */
    public VerifiedToken verifyAny(Token token, Collection<TokenChallenge> acceptableChallenges) {
        return verify(token, acceptableChallenges.stream().map(TokenChallenge::digest).toList());
    }

    /** Verifies a token whose challenge_digest must be one of these SHA-256 digests of TokenChallenges. */
    public VerifiedToken verify(Token token, List<byte[]> acceptableDigests) {
        if (token.tokenType() != TokenType.BLIND_RSA_2048) { // for when Token also holds other types
            throw new TokenRejectedException(Reason.UNSUPPORTED_TOKEN_TYPE, String.format("0x%04x", token.tokenType()));
        }
        IssuerPublicKey key = keysById.get(ByteBuffer.wrap(token.tokenKeyId()));
        if (key == null) {
            throw new TokenRejectedException(Reason.UNKNOWN_TOKEN_KEY, Bytes.hex(token.tokenKeyId()));
        }
        byte[] digest = token.challengeDigest();
        if (acceptableDigests.stream().noneMatch(d -> MessageDigest.isEqual(d, digest))) {
            throw new TokenRejectedException(Reason.CHALLENGE_MISMATCH, Bytes.hex(digest));
        }
        // §6.4: RSASSA-PSS-VERIFY(pkI, token_authenticator_input, authenticator), SHA-384, MGF1-SHA-384, sLen 48.
        if (!RSA.verify(key.key(), token.authenticatorInput(), token.authenticator())) {
            throw new TokenRejectedException(Reason.INVALID_AUTHENTICATOR, "signature does not verify");
        }
        return new VerifiedToken(token, key);
    }
}
