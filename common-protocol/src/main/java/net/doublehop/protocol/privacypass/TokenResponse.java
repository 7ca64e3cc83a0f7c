package net.doublehop.protocol.privacypass;

import java.util.Arrays;

/**
 * The Blind RSA TokenResponse of RFC 9578 §6.2, {@code struct { uint8_t blind_sig[Nk]; }}: the content of
 * an {@code application/private-token-response}. It carries no token type, so the caller knows it from
 * the request it sent.
 */
public record TokenResponse(byte[] blindSig) {

    public TokenResponse {
        Bytes.requireLength("blind_sig", blindSig, TokenType.BLIND_RSA_2048_NK);
        blindSig = blindSig.clone();
    }

    public static TokenResponse decode(byte[] bytes) {
        WireReader r = new WireReader(bytes, "TokenResponse");
        byte[] sig = r.fixed(TokenType.BLIND_RSA_2048_NK, "blind_sig");
        r.end();
        return new TokenResponse(sig);
    }

    public byte[] encode() {
        return blindSig.clone();
    }

    @Override
    public byte[] blindSig() {
        return blindSig.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenResponse t && Arrays.equals(t.blindSig, blindSig);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(blindSig);
    }

    @Override
    public String toString() {
        return "TokenResponse[blind_sig=" + blindSig.length + " bytes]";
    }
}
