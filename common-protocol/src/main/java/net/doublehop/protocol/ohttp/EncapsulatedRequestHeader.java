package net.doublehop.protocol.ohttp;

import java.nio.ByteBuffer;

/**
 * The clear header of an Encapsulated Request (RFC 9458 §4.1): key identifier, KEM, KDF and AEAD ids.
 * A relay may look at it (§6.2 says it sees the choice of key, KDF and AEAD); the rest is ciphertext.
 */
public record EncapsulatedRequestHeader(int keyId, int kemId, int kdfId, int aeadId) {

    /** Header bytes: 1 + 2 + 2 + 2. */
    public static final int LENGTH = 7;

    /** Reads the header at the start of an Encapsulated Request. */
    public static EncapsulatedRequestHeader parse(byte[] encapsulatedRequest) throws OhttpException {
        if (encapsulatedRequest.length < LENGTH) {
            throw new OhttpException(OhttpException.Reason.MALFORMED, "shorter than the request header");
        }
        ByteBuffer b = ByteBuffer.wrap(encapsulatedRequest);
        return new EncapsulatedRequestHeader(b.get() & 0xff, b.getShort() & 0xffff, b.getShort() & 0xffff,
                b.getShort() & 0xffff);
    }

    /** {@code hdr} of §4.3 step 1. */
    public byte[] encode() {
        return ByteBuffer.allocate(LENGTH).put((byte) keyId).putShort((short) kemId).putShort((short) kdfId)
                .putShort((short) aeadId).array();
    }

    /** {@code info} of §4.3 step 2: "message/bhttp request", a zero byte, then the header. */
    byte[] info() {
        byte[] label = OhttpMediaTypes.REQUEST_LABEL;
        return ByteBuffer.allocate(label.length + 1 + LENGTH).put(label).put((byte) 0).put(encode()).array();
    }
}
