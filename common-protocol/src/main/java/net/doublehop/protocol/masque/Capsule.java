package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;

/**
 * One capsule of the Capsule Protocol (RFC 9297 §3.2): {@code Capsule Type (i), Capsule Length (i),
 * Capsule Value (..)}. The value is held as a read-only view, not a copy; {@link #value()} hands out a
 * fresh view each time so no caller can move another's position.
 */
public record Capsule(long type, ByteBuffer value) {

    /** The DATAGRAM capsule type (RFC 9297 §3.5), the only one CONNECT-UDP defines. */
    public static final long DATAGRAM = 0x00;

    public Capsule {
        if (type < 0 || type > QuicVarInt.MAX_VALUE) {
            throw new IllegalArgumentException("capsule type out of varint range: " + type);
        }
        value = value.slice().asReadOnlyBuffer();
    }

    /** A DATAGRAM capsule carrying {@code httpDatagramPayload}. */
    public static Capsule datagram(ByteBuffer httpDatagramPayload) {
        return new Capsule(DATAGRAM, httpDatagramPayload);
    }

    @Override
    public ByteBuffer value() {
        return value.duplicate();
    }

    /** Length of the value in bytes, the Capsule Length field. */
    public int length() {
        return value.remaining();
    }

    public boolean isDatagram() {
        return type == DATAGRAM;
    }

    /** Bytes this capsule takes on the wire with minimal varints. */
    public int encodedLength() {
        return CapsuleHeader.encodedLength(type, length()) + length();
    }

    /**
     * Capsule types 0x29 * N + 0x17 are reserved to exercise the skipping of unknown types
     * (RFC 9297 §5.4); senders may emit them as greasing.
     */
    public static boolean isReservedGreaseType(long type) {
        return type >= 0x17 && (type - 0x17) % 0x29 == 0;
    }
}
