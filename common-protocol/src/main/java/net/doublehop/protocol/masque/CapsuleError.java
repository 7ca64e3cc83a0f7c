package net.doublehop.protocol.masque;

/**
 * Why a capsule stream cannot be parsed any further. RFC 9297 §3.3 says to treat such an error as a
 * malformed or incomplete HTTP message, which is a stream error, not a connection error: in HTTP/3
 * H3_MESSAGE_ERROR (RFC 9114 §4.1.2), in HTTP/2 PROTOCOL_ERROR (RFC 9113 §8.1.1); in HTTP/1.1 the
 * connection is closed (RFC 9112 §8). The details are constant texts, safe to log.
 */
public enum CapsuleError {

    /** The data stream ended cleanly inside a capsule (RFC 9297 §3.3, last paragraph). */
    TRUNCATED("data stream ended inside a capsule"),

    /**
     * A capsule the endpoint would have to buffer is longer than it accepts. For CONNECT-UDP this
     * covers RFC 9298 §5: a context-0 payload over 65527 bytes MUST abort the stream.
     */
    TOO_LONG("capsule longer than the configured maximum");

    private final String details;

    CapsuleError(String details) {
        this.details = details;
    }

    public String details() {
        return details;
    }

    /** The HTTP/3 stream error code to reset the request stream with. */
    public long http3StreamErrorCode() {
        return MasqueErrorCodes.H3_MESSAGE_ERROR;
    }

    /** The HTTP/2 stream error code (RST_STREAM) to reset the request stream with. */
    public long http2StreamErrorCode() {
        return MasqueErrorCodes.HTTP2_PROTOCOL_ERROR;
    }
}
