package net.doublehop.protocol.ohttp;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKEContext;

/**
 * The Oblivious Gateway's cryptography (RFC 9458 §4.3, §4.4): holds the live keys, opens Encapsulated
 * Requests and returns the {@link GatewayExchange} that seals the answer. Immutable and thread-safe:
 * every request gets its own HPKE context.
 */
public final class ObliviousGateway {

    private final List<GatewayKey> keys;
    private final Map<Integer, GatewayKey> byId = new HashMap<>();
    private final byte[] keyConfigs;
    private final SecureRandom random;

    /** @param keys the live keys, in the order their configurations are published (first = preferred) */
    public ObliviousGateway(List<GatewayKey> keys, SecureRandom random) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a gateway needs at least one key");
        }
        for (GatewayKey k : keys) {
            if (byId.put(k.keyId(), k) != null) {
                throw new IllegalArgumentException("key identifier " + k.keyId() + " is used twice");
            }
        }
        this.keys = List.copyOf(keys);
        this.keyConfigs = KeyConfig.encodeList(this.keys.stream().map(GatewayKey::config).toList());
        this.random = random;
    }

    public List<GatewayKey> keys() {
        return keys;
    }

    /** The {@code application/ohttp-keys} document of every live key. */
    public byte[] keyConfigs() {
        return keyConfigs.clone();
    }

    /**
     * Decapsulates an Encapsulated Request (§4.3 "reversing this process"). Throws with {@link
     * OhttpException.Reason#UNKNOWN_KEY} (no such key, or not of this KEM), {@code UNSUPPORTED_ALGORITHM}
     * (a KDF/AEAD pair not offered with the key), {@code MALFORMED} (too short), or {@code
     * DECRYPTION_FAILED}.
     */
    public GatewayExchange decapsulate(byte[] encapsulatedRequest) throws OhttpException {
        EncapsulatedRequestHeader hdr = EncapsulatedRequestHeader.parse(encapsulatedRequest);
        GatewayKey key = byId.get(hdr.keyId());
        if (key == null || key.config().kemId() != hdr.kemId()) {
            throw new OhttpException(OhttpException.Reason.UNKNOWN_KEY, "no key with this identifier and KEM");
        }
        if (!key.config().algorithms().contains(new SymmetricAlgorithm(hdr.kdfId(), hdr.aeadId()))) {
            throw new OhttpException(OhttpException.Reason.UNSUPPORTED_ALGORITHM,
                    "KDF/AEAD pair not offered with this key");
        }
        int encEnd = EncapsulatedRequestHeader.LENGTH + HpkeSuite.X25519_KEY_LENGTH;
        if (encapsulatedRequest.length < encEnd + 16) { // 16: the AEAD tag of an empty plaintext
            throw new OhttpException(OhttpException.Reason.MALFORMED, "shorter than header, enc and AEAD tag");
        }
        byte[] enc = Arrays.copyOfRange(encapsulatedRequest, EncapsulatedRequestHeader.LENGTH, encEnd);
        HPKEContext context;
        byte[] request;
        try {
            context = HpkeSuite.hpke(hdr.kdfId(), hdr.aeadId()).setupBaseR(enc, key.keyPair(), hdr.info());
            request = context.open(new byte[0], encapsulatedRequest, encEnd, encapsulatedRequest.length - encEnd);
        } catch (InvalidCipherTextException | RuntimeException e) {
            // RuntimeException: BouncyCastle refuses some enc values (all-zero shared secret) with one
            throw new OhttpException(OhttpException.Reason.DECRYPTION_FAILED, "the request does not open");
        }
        return new GatewayExchange(hdr, enc, context, request, random);
    }
}
