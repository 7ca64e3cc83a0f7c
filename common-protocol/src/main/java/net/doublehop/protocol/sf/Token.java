package net.doublehop.protocol.sf;

/** An RFC 8941 §3.3.4 Token (as opposed to a String). */
public record Token(String value) {
    @Override
    public String toString() {
        return value;
    }
}
