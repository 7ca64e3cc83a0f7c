package net.doublehop.protocol.ohttp;

import org.bouncycastle.crypto.hpke.HPKEContext;

/** One encapsulated request at the client, and the HPKE context that opens its response (RFC 9458 §4.4). */
public final class ClientExchange {

    private final EncapsulatedRequestHeader header;
    private final byte[] enc;
    private final HPKEContext context;
    private final byte[] encapsulatedRequest;

    ClientExchange(EncapsulatedRequestHeader header, byte[] enc, HPKEContext context, byte[] encapsulatedRequest) {
        this.header = header;
        this.enc = enc;
        this.context = context;
        this.encapsulatedRequest = encapsulatedRequest;
    }

    /** The {@code message/ohttp-req} content. */
    public byte[] encapsulatedRequest() {
        return encapsulatedRequest.clone();
    }

    public EncapsulatedRequestHeader header() {
        return header;
    }

    /** Opens a {@code message/ohttp-res}: the binary HTTP response, or MALFORMED / DECRYPTION_FAILED. */
    public byte[] decapsulateResponse(byte[] encapsulatedResponse) throws OhttpException {
        return ResponseKeys.open(context, header.aeadId(), enc, encapsulatedResponse);
    }
}
