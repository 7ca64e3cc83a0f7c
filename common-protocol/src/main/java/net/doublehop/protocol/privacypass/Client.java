package net.doublehop.protocol.privacypass;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;

/**
 * The client side of RFC 9578 §6.1 and §6.3 for one issuer key: a TokenRequest for a challenge, then
 * the Token from the issuer's TokenResponse. Uses RSABSSA-SHA384-PSS-Deterministic, the variant whose
 * signatures pass the §6.4 verification (salt length 48).
 */
public final class Client {

    private static final BlindRsa RSA = BlindRsa.of(BlindRsa.Variant.SHA384_PSS_DETERMINISTIC);

    private final IssuerPublicKey issuerKey;
    private final SecureRandom random;

    public Client(IssuerPublicKey issuerKey, SecureRandom random) {
        this.issuerKey = Objects.requireNonNull(issuerKey, "issuerKey");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** §6.1 with a fresh 32-byte nonce, salt and blind. The challenge must be of token type 0x0002. */
    public PendingToken request(TokenChallenge challenge) {
        requireType(challenge);
        byte[] nonce = new byte[TokenType.NONCE_LENGTH];
        random.nextBytes(nonce);
        byte[] input = tokenInput(nonce, challenge.digest());
        return pending(input, RSA.blind(issuerKey.key(), input, random));
    }

    /** §6.1 with given nonce, salt and blind: for the published vectors only (RFC 9474 §7.4). */
    PendingToken request(TokenChallenge challenge, byte[] nonce, byte[] salt, BigInteger blind) {
        requireType(challenge);
        Bytes.requireLength("nonce", nonce, TokenType.NONCE_LENGTH);
        byte[] input = tokenInput(nonce, challenge.digest());
        return pending(input, RSA.blind(issuerKey.key(), input, salt, blind));
    }

    /**
     * §6.3: authenticator = Finalize(pkI, token_input, blind_sig, blind_inv), which fails with
     * {@link BlindRsaException} (INVALID_SIGNATURE) rather than return a token that will not verify.
     */
    public Token finalizeToken(PendingToken pending, TokenResponse response) {
        byte[] input = pending.tokenInput();
        byte[] authenticator = RSA.finalizeSignature(issuerKey.key(), input, response.blindSig(), pending.inverse());
        return new Token(TokenType.BLIND_RSA_2048, pending.nonce(), pending.challengeDigest(), pending.tokenKeyId(),
                authenticator);
    }

    private byte[] tokenInput(byte[] nonce, byte[] challengeDigest) {
        // token_input = concat(0x0002, nonce, challenge_digest, token_key_id); PrepareIdentity leaves it as is.
        return Token.authenticatorInput(TokenType.BLIND_RSA_2048, nonce, challengeDigest, issuerKey.tokenKeyId());
    }

    private PendingToken pending(byte[] input, BlindedMessage blinded) {
        return new PendingToken(new TokenRequest(issuerKey.truncatedTokenKeyId(), blinded.blindedMsg()), input,
                blinded.inverse());
    }

    private static void requireType(TokenChallenge challenge) {
        if (challenge.tokenType() != TokenType.BLIND_RSA_2048) {
            throw new TokenRejectedException(Reason.UNSUPPORTED_TOKEN_TYPE,
                    String.format("challenge of token type 0x%04x", challenge.tokenType()));
        }
    }
}
