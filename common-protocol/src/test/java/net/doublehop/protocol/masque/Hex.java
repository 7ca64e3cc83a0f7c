package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Test vectors are written as annotated hex, one field a string; these helpers glue them together. */
final class Hex {

    private Hex() {
    }

    /** Concatenates hex fields (spaces allowed inside a field) into bytes. */
    static byte[] bytes(String... fields) {
        return HexFormat.of().parseHex(String.join("", fields).replace(" ", ""));
    }

    static ByteBuffer buffer(String... fields) {
        return ByteBuffer.wrap(bytes(fields));
    }

    static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The remaining bytes of {@code buf} as hex, without moving it. */
    static String of(ByteBuffer buf) {
        ByteBuffer d = buf.duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return of(b);
    }
}
