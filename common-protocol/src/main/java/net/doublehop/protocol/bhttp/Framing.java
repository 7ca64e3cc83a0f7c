package net.doublehop.protocol.bhttp;

/** The two framings of RFC 9292 §3.1 and §3.2; the framing indicator (§3.3) adds the message kind. */
public enum Framing {
    /** Every field section and the content carry a length prefix. */
    KNOWN_LENGTH,
    /** Field sections end with a zero, content comes in length-prefixed chunks ending with a zero. */
    INDETERMINATE_LENGTH;

    int indicator(boolean response) {
        return (this == KNOWN_LENGTH ? 0 : 2) + (response ? 1 : 0);
    }
}
