package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;

/**
 * Encodes capsules (RFC 9297 §3.2) with minimal varints. The header-only methods let a framework
 * writer send the header bytes followed by the payload buffer it already holds (for Netty, a
 * composite of the header and a retained slice), so payloads need not be copied.
 */
public final class CapsuleWriter {

    private CapsuleWriter() {
    }

    /** The Capsule Type and Capsule Length fields for a value of {@code length} bytes. */
    public static byte[] header(long type, long length) {
        byte[] out = new byte[CapsuleHeader.encodedLength(type, length)];
        ByteBuffer buf = ByteBuffer.wrap(out);
        QuicVarInt.write(type, buf);
        QuicVarInt.write(length, buf);
        return out;
    }

    /** Writes the header at {@code dst}'s position; returns the bytes written. */
    public static int writeHeader(long type, long length, ByteBuffer dst) {
        return QuicVarInt.write(type, dst) + QuicVarInt.write(length, dst);
    }

    /** Writes the whole capsule at {@code dst}'s position; returns the bytes written. */
    public static int write(Capsule capsule, ByteBuffer dst) {
        int n = writeHeader(capsule.type(), capsule.length(), dst);
        dst.put(capsule.value());
        return n + capsule.length();
    }

    /** The whole capsule as a new array (copies the value). */
    public static byte[] encode(Capsule capsule) {
        ByteBuffer out = ByteBuffer.allocate(capsule.encodedLength());
        write(capsule, out);
        return out.array();
    }

    /** A DATAGRAM capsule carrying {@code httpDatagramPayload}, as a new array. */
    public static byte[] datagram(ByteBuffer httpDatagramPayload) {
        return encode(Capsule.datagram(httpDatagramPayload));
    }
}
