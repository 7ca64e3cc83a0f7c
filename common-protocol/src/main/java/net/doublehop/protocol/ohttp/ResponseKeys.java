package net.doublehop.protocol.ohttp;

import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.AEAD;
import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The response encryption of RFC 9458 §4.4, shared by gateway (seal) and client (open): a secret
 * exported from the request's HPKE context, extracted with {@code enc || response_nonce} as salt and
 * expanded into the AEAD's key and nonce. Every primitive is BouncyCastle's HPKE context and AEAD.
 */
final class ResponseKeys {

    private ResponseKeys() {
    }

    /** max(Nn, Nk): the length of the exported secret and of {@code response_nonce}. */
    static int nonceLength(int aeadId) {
        return Math.max(HpkeSuite.nonceLength(aeadId), HpkeSuite.keyLength(aeadId));
    }

    static AEAD aead(HPKEContext context, int aeadId, byte[] enc, byte[] responseNonce) {
        int secretLength = nonceLength(aeadId);
        byte[] secret = context.export(OhttpMediaTypes.RESPONSE_LABEL, secretLength);
        byte[] salt = new byte[enc.length + responseNonce.length];
        System.arraycopy(enc, 0, salt, 0, enc.length);
        System.arraycopy(responseNonce, 0, salt, enc.length, responseNonce.length);
        byte[] prk = context.extract(salt, secret);
        byte[] key = context.expand(prk, "key".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                HpkeSuite.keyLength(aeadId));
        byte[] nonce = context.expand(prk, "nonce".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                HpkeSuite.nonceLength(aeadId));
        // A fresh AEAD's first Seal/Open uses sequence number 0, so its nonce is aead_nonce itself.
        return new AEAD((short) aeadId, key, nonce);
    }

    static byte[] seal(HPKEContext context, int aeadId, byte[] enc, byte[] responseNonce, byte[] response) {
        try {
            byte[] ct = aead(context, aeadId, enc, responseNonce).seal(new byte[0], response);
            byte[] out = Arrays.copyOf(responseNonce, responseNonce.length + ct.length);
            System.arraycopy(ct, 0, out, responseNonce.length, ct.length);
            return out;
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("sealing cannot fail", e);
        }
    }

    static byte[] open(HPKEContext context, int aeadId, byte[] enc, byte[] encapsulatedResponse)
            throws OhttpException {
        int n = nonceLength(aeadId);
        if (encapsulatedResponse.length < n + 16) {
            throw new OhttpException(OhttpException.Reason.MALFORMED, "shorter than a response nonce and tag");
        }
        byte[] responseNonce = Arrays.copyOf(encapsulatedResponse, n);
        try {
            return aead(context, aeadId, enc, responseNonce).open(new byte[0], encapsulatedResponse, n,
                    encapsulatedResponse.length - n);
        } catch (InvalidCipherTextException | RuntimeException e) {
            throw new OhttpException(OhttpException.Reason.DECRYPTION_FAILED, "the response does not open");
        }
    }
}
