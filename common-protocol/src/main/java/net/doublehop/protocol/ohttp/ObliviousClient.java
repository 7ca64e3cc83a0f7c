package net.doublehop.protocol.ohttp;

import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/** The client's side of RFC 9458 §4.3: encapsulates a binary HTTP request for one key configuration. */
public final class ObliviousClient {

    private ObliviousClient() {
    }

    /**
     * Encapsulates {@code request} for {@code config} with the first KDF/AEAD pair of the configuration this
     * package supports; {@link OhttpException.Reason#UNSUPPORTED_ALGORITHM} if there is none.
     */
    public static ClientExchange encapsulate(KeyConfig config, byte[] request) throws OhttpException {
        SymmetricAlgorithm alg = config.supportedAlgorithms().stream().findFirst()
                .orElseThrow(() -> new OhttpException(OhttpException.Reason.UNSUPPORTED_ALGORITHM,
                        "the key configuration offers no KDF/AEAD pair this client supports"));
        return encapsulate(config, alg, request, null);
    }

    /**
     * Encapsulates with a chosen pair and, for test vectors only, a given ephemeral X25519 private key
     * ({@code null}: a fresh one, as always outside tests).
     */
    public static ClientExchange encapsulate(KeyConfig config, SymmetricAlgorithm alg, byte[] request,
            byte[] ephemeralPrivateKey) throws OhttpException {
        if (!config.algorithms().contains(alg) || !alg.supported()) {
            throw new OhttpException(OhttpException.Reason.UNSUPPORTED_ALGORITHM,
                    "KDF/AEAD pair not offered by the configuration or not supported");
        }
        EncapsulatedRequestHeader hdr = new EncapsulatedRequestHeader(config.keyId(), config.kemId(), alg.kdfId(),
                alg.aeadId());
        var hpke = HpkeSuite.hpke(alg.kdfId(), alg.aeadId());
        HPKEContextWithEncapsulation context;
        try {
            var pkR = hpke.deserializePublicKey(config.publicKey());
            if (ephemeralPrivateKey == null) {
                context = hpke.setupBaseS(pkR, hdr.info());
            } else {
                var sk = new X25519PrivateKeyParameters(ephemeralPrivateKey, 0);
                context = hpke.setupBaseS(pkR, hdr.info(), new AsymmetricCipherKeyPair(sk.generatePublicKey(), sk));
            }
        } catch (RuntimeException e) {
            throw new OhttpException(OhttpException.Reason.MALFORMED, "unusable public key in the configuration");
        }
        byte[] enc = context.getEncapsulation();
        byte[] ct;
        try {
            ct = context.seal(new byte[0], request);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("sealing cannot fail", e);
        }
        byte[] h = hdr.encode();
        byte[] out = Arrays.copyOf(h, h.length + enc.length + ct.length);
        System.arraycopy(enc, 0, out, h.length, enc.length);
        System.arraycopy(ct, 0, out, h.length + enc.length, ct.length);
        return new ClientExchange(hdr, enc, context, out);
    }
}
