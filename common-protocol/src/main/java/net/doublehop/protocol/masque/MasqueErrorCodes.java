package net.doublehop.protocol.masque;

/** Error codes the MASQUE wire formats map to, by the registry that defines them. */
public final class MasqueErrorCodes {

    /** HTTP/2 PROTOCOL_ERROR (RFC 9113 §7), the stream error for a malformed message (§8.1.1). */
    public static final long HTTP2_PROTOCOL_ERROR = 0x1;

    /** H3_GENERAL_PROTOCOL_ERROR (RFC 9114 §8.1). */
    public static final long H3_GENERAL_PROTOCOL_ERROR = 0x101;

    /** H3_ID_ERROR (RFC 9114 §8.1): a stream ID beyond what the peer could have opened. */
    public static final long H3_ID_ERROR = 0x108;

    /** H3_MESSAGE_ERROR (RFC 9114 §8.1), the stream error for a malformed message (§4.1.2). */
    public static final long H3_MESSAGE_ERROR = 0x10e;

    /** H3_DATAGRAM_ERROR (RFC 9297 §5.2): an HTTP/3 Datagram that cannot be parsed. */
    public static final long H3_DATAGRAM_ERROR = 0x33;

    private MasqueErrorCodes() {
    }
}
