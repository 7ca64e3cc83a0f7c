package net.doublehop.protocol.ohttp;

import java.security.SecureRandom;
import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * One decapsulated request at the gateway and the HPKE context that answers it (RFC 9458 §4.3: "The
 * Oblivious Gateway Resource retains the HPKE context ... so that it can encapsulate a response").
 * {@link #toString()} shows neither plaintext nor keys.
 */
public final class GatewayExchange {

    private final EncapsulatedRequestHeader header;
    private final byte[] enc;
    private final HPKEContext context;
    private final byte[] request;
    private final SecureRandom random;

    GatewayExchange(EncapsulatedRequestHeader header, byte[] enc, HPKEContext context, byte[] request,
            SecureRandom random) {
        this.header = header;
        this.enc = enc;
        this.context = context;
        this.request = request;
        this.random = random;
    }

    public EncapsulatedRequestHeader header() {
        return header;
    }

    /**
     * The request's HPKE encapsulated key: fresh for every request and bound to it, so it names the request
     * in a replay register (RFC 9458 §6.5).
     */
    public byte[] enc() {
        return enc.clone();
    }

    /** The decrypted binary HTTP request. */
    public byte[] request() {
        return request.clone();
    }

    /** The Encapsulated Response of {@code response} (a binary HTTP response), with a random nonce. */
    public byte[] encapsulateResponse(byte[] response) {
        byte[] nonce = new byte[ResponseKeys.nonceLength(header.aeadId())];
        random.nextBytes(nonce);
        return encapsulateResponse(response, nonce);
    }

    /** As {@link #encapsulateResponse(byte[])} with a given {@code response_nonce}: for test vectors only. */
    public byte[] encapsulateResponse(byte[] response, byte[] responseNonce) {
        if (responseNonce.length != ResponseKeys.nonceLength(header.aeadId())) {
            throw new IllegalArgumentException("response_nonce is max(Nn, Nk) bytes");
        }
        return ResponseKeys.seal(context, header.aeadId(), enc, responseNonce, response);
    }

    /** The HPKE receiver context (tests check the intermediate values of RFC 9458 Appendix A with it). */
    HPKEContext context() {
        return context;
    }

    @Override
    public String toString() {
        return "GatewayExchange[key " + header.keyId() + ", " + HpkeSuite.aeadName(header.aeadId()) + "]";
    }
}
