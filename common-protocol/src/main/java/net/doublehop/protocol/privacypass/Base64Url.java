package net.doublehop.protocol.privacypass;

import java.util.Base64;

/**
 * base64url (RFC 4648 §5) as RFC 9577 uses it: always sent with padding, and on input padding is
 * required too. RFC 9577 §2.1.1 and §2.2.2 say the value "MUST include padding" with no allowance for
 * receivers, and the working group kept that strict on purpose to allow a single encoding (Privacy
 * Pass base-drafts issue #352); so an unpadded value is refused with its own reason.
 */
public final class Base64Url {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {
    }

    public static String encode(byte[] data) {
        return ENCODER.encodeToString(data);
    }

    /**
     * Decodes padded base64url and nothing else: no '+' or '/', no whitespace, no unpadded form, and
     * only the canonical text (zero pad bits), so one byte string has exactly one accepted spelling.
     */
    public static byte[] decode(String text) {
        if (text == null) {
            throw new MalformedException(Reason.INVALID_BASE64URL, "absent");
        }
        int pad = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (c == '=') {
                pad++;
            } else if (!alphabet || pad > 0) {
                throw new MalformedException(Reason.INVALID_BASE64URL, "unexpected character at " + i);
            }
        }
        if (pad > 2) {
            throw new MalformedException(Reason.INVALID_BASE64URL, "too much padding");
        }
        if (text.length() % 4 != 0) {
            // Decodable without padding only if the unpadded length is possible (never 1 mod 4).
            throw new MalformedException(pad == 0 && text.length() % 4 != 1
                    ? Reason.UNPADDED_BASE64URL : Reason.INVALID_BASE64URL, "length " + text.length());
        }
        byte[] out;
        try {
            out = DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedException(Reason.INVALID_BASE64URL, "not decodable");
        }
        if (!ENCODER.encodeToString(out).equals(text)) {
            throw new MalformedException(Reason.INVALID_BASE64URL, "non-canonical (pad bits not zero)");
        }
        return out;
    }
}
