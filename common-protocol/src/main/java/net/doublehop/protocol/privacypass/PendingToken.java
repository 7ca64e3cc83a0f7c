package net.doublehop.protocol.privacypass;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a client keeps between sending a TokenRequest and finalizing its TokenResponse (RFC 9578 §6.1):
 * the request, the token_input it blinded, and the inverse of the blind, which is never printed.
 */
public record PendingToken(TokenRequest request, byte[] tokenInput, BigInteger inverse) {

    private static final int INPUT_LENGTH = 2 + TokenType.NONCE_LENGTH + TokenType.DIGEST_LENGTH + TokenType.NID;

    public PendingToken {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(inverse, "inverse");
        Bytes.requireLength("token_input", tokenInput, INPUT_LENGTH);
        tokenInput = tokenInput.clone();
    }

    public byte[] nonce() {
        return Arrays.copyOfRange(tokenInput, 2, 2 + TokenType.NONCE_LENGTH);
    }

    public byte[] challengeDigest() {
        return Arrays.copyOfRange(tokenInput, 2 + TokenType.NONCE_LENGTH, 2 + TokenType.NONCE_LENGTH
                + TokenType.DIGEST_LENGTH);
    }

    public byte[] tokenKeyId() {
        return Arrays.copyOfRange(tokenInput, INPUT_LENGTH - TokenType.NID, INPUT_LENGTH);
    }

    @Override
    public byte[] tokenInput() {
        return tokenInput.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PendingToken p && p.request.equals(request) && Arrays.equals(p.tokenInput, tokenInput)
                && p.inverse.equals(inverse);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokenInput);
    }

    @Override
    public String toString() {
        return "PendingToken[" + request + ", nonce=" + Bytes.hex(nonce()) + ", inverse=<hidden>]";
    }
}
