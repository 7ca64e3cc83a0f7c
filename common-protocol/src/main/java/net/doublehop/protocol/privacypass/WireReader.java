package net.doublehop.protocol.privacypass;

import java.util.Arrays;

/** Reads the TLS presentation language structures of RFC 9577/9578 (RFC 8446 §3) from a byte array. */
final class WireReader {

    private final byte[] data;
    private final String structure;
    private int at;

    WireReader(byte[] data, String structure) {
        if (data == null) {
            throw new MalformedException(Reason.TRUNCATED, structure + " is absent");
        }
        this.data = data;
        this.structure = structure;
    }

    int u8(String field) {
        need(1, field);
        return data[at++] & 0xff;
    }

    int u16(String field) {
        need(2, field);
        int v = ((data[at] & 0xff) << 8) | (data[at + 1] & 0xff);
        at += 2;
        return v;
    }

    byte[] fixed(int length, String field) {
        need(length, field);
        byte[] out = Arrays.copyOfRange(data, at, at + length);
        at += length;
        return out;
    }

    /** {@code opaque field<0..2^8-1>}: a one-byte length, then that many bytes. */
    byte[] vector8(String field) {
        return fixed(u8(field + " length"), field);
    }

    /** {@code opaque field<0..2^16-1>}: a two-byte length, then that many bytes. */
    byte[] vector16(String field) {
        return fixed(u16(field + " length"), field);
    }

    /** Every structure here is the whole message: nothing may follow it. */
    void end() {
        if (at != data.length) {
            throw new MalformedException(Reason.TRAILING_BYTES,
                    (data.length - at) + " bytes after the end of " + structure);
        }
    }

    private void need(int n, String field) {
        if (data.length - at < n) {
            throw new MalformedException(Reason.TRUNCATED, structure + " ends inside " + field);
        }
    }
}
