package net.doublehop.protocol.bhttp;

import java.util.Objects;

/**
 * One field line (RFC 9292 §3.6). Names and values are kept as ISO-8859-1 strings, so every byte of
 * the wire form maps to one char and back unchanged. Names are what the message carries: HTTP/2 rules
 * apply (RFC 9113 §8.2.1: lowercase), and {@link BinaryHttp} refuses messages that break them.
 */
public record Field(String name, String value) {

    public Field {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a field name has at least one byte (RFC 9292 §3.6)");
        }
    }

    /** A pseudo-field such as {@code :protocol}: allowed before the other fields of a header section only. */
    public boolean isPseudo() {
        return name.charAt(0) == ':';
    }
}
