package net.doublehop.protocol.masque;

import java.nio.ByteBuffer;

/**
 * The HTTP Datagram Payload of a CONNECT-UDP request stream (RFC 9298 §5):
 * {@code Context ID (i), UDP Proxying Payload (..)}. Context ID 0 carries a UDP payload unmodified;
 * non-zero IDs belong to extensions, none of which this proxy implements or registers.
 */
public final class UdpPayload {

    /** Context ID of plain UDP payloads (RFC 9298 §4). */
    public static final long UDP_CONTEXT_ID = 0;

    /** Longest UDP payload a UDP header can describe, 65535 - 8 (RFC 9298 §5). */
    public static final int MAX_UDP_PAYLOAD = 65527;

    /**
     * Longest DATAGRAM capsule value a CONNECT-UDP endpoint needs to accept: a context ID of 0 on
     * up to 8 bytes (non-minimal encodings are legal) plus a maximal UDP payload.
     */
    public static final int MAX_DATAGRAM_CAPSULE_LENGTH = QuicVarInt.MAX_LENGTH + MAX_UDP_PAYLOAD;

    private UdpPayload() {
    }

    /** What an HTTP Datagram on a CONNECT-UDP stream turned out to be. */
    public sealed interface Decoded {
    }

    /** Context ID 0: {@code payload} is the UDP payload, a view of the input (no copy). */
    public record Udp(ByteBuffer payload) implements Decoded {
        public Udp {
            payload = payload.asReadOnlyBuffer();
        }

        @Override
        public ByteBuffer payload() {
            return payload.duplicate();
        }
    }

    /**
     * A non-zero Context ID. Since this endpoint registers no contexts, every such ID is unknown,
     * and RFC 9298 §5 lets the receiver drop the datagram silently (the alternative, buffering
     * until registration, is pointless when no registration can come). Drop it and count it.
     */
    public record UnknownContext(long contextId) implements Decoded {
    }

    /**
     * Context ID 0 with a payload longer than 65527 bytes: RFC 9298 §5 says the receiver MUST abort
     * the request stream.
     */
    public record TooLong(int length) implements Decoded {
    }

    /**
     * The datagram ends before its Context ID does (for instance an empty DATAGRAM capsule).
     * Interpretation: inside a DATAGRAM capsule this is a capsule whose value ends before its
     * fields, which RFC 9297 §3.3 makes a malformed message, so abort the stream; in a QUIC
     * DATAGRAM frame RFC 9298 gives no rule, and dropping it fits the unreliable transport.
     */
    public record MissingContextId() implements Decoded {
    }

    /** Decodes an HTTP Datagram Payload; consumes nothing from {@code httpDatagramPayload}. */
    public static Decoded decode(ByteBuffer httpDatagramPayload) {
        ByteBuffer in = httpDatagramPayload.duplicate();
        long contextId = QuicVarInt.read(in);
        if (contextId == QuicVarInt.NEED_MORE) {
            return new MissingContextId();
        }
        if (contextId != UDP_CONTEXT_ID) {
            return new UnknownContext(contextId);
        }
        if (in.remaining() > MAX_UDP_PAYLOAD) {
            return new TooLong(in.remaining());
        }
        return new Udp(in.slice());
    }

    /**
     * A capsule parser for a CONNECT-UDP data stream: DATAGRAM is the only known type, and a DATAGRAM
     * capsule longer than {@link #MAX_DATAGRAM_CAPSULE_LENGTH} fails the stream, since it could only
     * hold a context-0 payload whose length RFC 9298 §5 makes an abort.
     */
    public static CapsuleParser capsuleParser() {
        return new CapsuleParser(MAX_DATAGRAM_CAPSULE_LENGTH, t -> t == Capsule.DATAGRAM,
                CapsuleParser.OversizePolicy.REJECT);
    }

    /** Context ID 0 followed by {@code udpPayload}, as a new array (copies the payload). */
    public static byte[] encode(ByteBuffer udpPayload) {
        ByteBuffer out = ByteBuffer.allocate(1 + checkLength(udpPayload.remaining()));
        write(udpPayload, out);
        return out.array();
    }

    /** Writes context ID 0 and {@code udpPayload} (not consumed) at {@code dst}'s position. */
    public static void write(ByteBuffer udpPayload, ByteBuffer dst) {
        checkLength(udpPayload.remaining());
        dst.put((byte) UDP_CONTEXT_ID);
        dst.put(udpPayload.duplicate());
    }

    /**
     * The bytes that precede a UDP payload of {@code udpLength} bytes in a DATAGRAM capsule: capsule
     * type, capsule length, context ID 0. A writer sends these, then the payload buffer it holds.
     */
    public static byte[] datagramCapsulePrefix(int udpLength) {
        long valueLength = 1 + (long) checkLength(udpLength);
        byte[] header = CapsuleWriter.header(Capsule.DATAGRAM, valueLength);
        byte[] out = java.util.Arrays.copyOf(header, header.length + 1);
        out[header.length] = (byte) UDP_CONTEXT_ID;
        return out;
    }

    // RFC 9298 §5: endpoints MUST NOT send context-0 payloads over 65527 bytes.
    private static int checkLength(int udpLength) {
        if (udpLength < 0 || udpLength > MAX_UDP_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload length out of range: " + udpLength);
        }
        return udpLength;
    }
}
