package net.doublehop.protocol.privacypass;

import java.util.Arrays;

/**
 * The Blind RSA TokenRequest of RFC 9578 §6.1:
 * <pre>
 * struct {
 *   uint16_t token_type = 0x0002;
 *   uint8_t truncated_token_key_id;
 *   uint8_t blinded_msg[Nk];
 * } TokenRequest;
 * </pre>
 * The content of an {@code application/private-token-request}.
 */
public record TokenRequest(int truncatedTokenKeyId, byte[] blindedMsg) {

    public static final int LENGTH = 2 + 1 + TokenType.BLIND_RSA_2048_NK;

    public TokenRequest {
        if (truncatedTokenKeyId < 0 || truncatedTokenKeyId > 0xff) {
            throw new IllegalArgumentException("truncated_token_key_id is a uint8");
        }
        Bytes.requireLength("blinded_msg", blindedMsg, TokenType.BLIND_RSA_2048_NK);
        blindedMsg = blindedMsg.clone();
    }

    public int tokenType() {
        return TokenType.BLIND_RSA_2048;
    }

    public static TokenRequest decode(byte[] bytes) {
        WireReader r = new WireReader(bytes, "TokenRequest");
        int nk = TokenType.nk(r.u16("token_type"));
        int keyId = r.u8("truncated_token_key_id");
        byte[] blinded = r.fixed(nk, "blinded_msg");
        r.end();
        return new TokenRequest(keyId, blinded);
    }

    public byte[] encode() {
        return Bytes.concat(Bytes.u16(tokenType()), new byte[] {(byte) truncatedTokenKeyId}, blindedMsg);
    }

    @Override
    public byte[] blindedMsg() {
        return blindedMsg.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenRequest t && t.truncatedTokenKeyId == truncatedTokenKeyId
                && Arrays.equals(t.blindedMsg, blindedMsg);
    }

    @Override
    public int hashCode() {
        return 31 * truncatedTokenKeyId + Arrays.hashCode(blindedMsg);
    }

    @Override
    public String toString() {
        return String.format("TokenRequest[token_type=0x0002, truncated_token_key_id=0x%02x]", truncatedTokenKeyId);
    }
}
