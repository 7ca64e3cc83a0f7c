package net.doublehop.protocol.masque;

import java.nio.charset.StandardCharsets;

/** Percent-encoding as URI templates use it (RFC 6570 §1.6, §3.2.1; RFC 3986 §2.1). */
final class PercentCoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentCoding() {
    }

    /** RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
    static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /**
     * Encodes {@code value} for the allowed set U (simple, "?" and "&" expansions): unreserved
     * characters stay, every other UTF-8 byte becomes %XX with upper-case hex (RFC 3986 §2.1).
     */
    static void encodeUnreserved(String value, StringBuilder out) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && isUnreserved(c)) {
                out.append(c);
            } else {
                out.append('%').append(HEX[c >>> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    /**
     * Decodes %XX triplets, one char per decoded byte (so non-ASCII bytes come out as chars at or
     * above 0x80 for the caller to refuse). Returns null if a '%' is not followed by two hex digits.
     */
    static String decode(CharSequence raw) {
        StringBuilder out = null;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || !isHexDigit(raw.charAt(i + 1)) || !isHexDigit(raw.charAt(i + 2))) {
                    return null;
                }
                if (out == null) {
                    out = new StringBuilder(raw.length()).append(raw, 0, i);
                }
                out.append((char) (Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16)));
                i += 2;
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? raw.toString() : out.toString();
    }

    /** True if every '%' in {@code text} starts a well-formed triplet. */
    static boolean isWellFormed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '%') {
                if (i + 2 >= text.length() || !isHexDigit(text.charAt(i + 1)) || !isHexDigit(text.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            }
        }
        return true;
    }
}
