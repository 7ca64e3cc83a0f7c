package net.doublehop.protocol.privacypass;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The output of RFC 9474 Blind: the blinded message for the signer, and the inverse of the blind that
 * only the client keeps (it unlinks the signature from the request, so it is never printed).
 */
public record BlindedMessage(byte[] blindedMsg, BigInteger inverse) {

    public BlindedMessage {
        blindedMsg = blindedMsg.clone();
        Objects.requireNonNull(inverse, "inverse");
    }

    @Override
    public byte[] blindedMsg() {
        return blindedMsg.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlindedMessage b && java.util.Arrays.equals(b.blindedMsg, blindedMsg)
                && b.inverse.equals(inverse);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(blindedMsg);
    }

    @Override
    public String toString() {
        return "BlindedMessage[blinded_msg=" + blindedMsg.length + " bytes, inverse=<hidden>]";
    }
}
