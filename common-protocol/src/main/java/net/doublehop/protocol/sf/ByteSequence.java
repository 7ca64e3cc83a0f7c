package net.doublehop.protocol.sf;

import java.util.Arrays;

/** An RFC 8941 §3.3.5 Byte Sequence. */
public record ByteSequence(byte[] bytes) {

    public ByteSequence {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteSequence b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "ByteSequence[" + bytes.length + " bytes]";
    }
}
