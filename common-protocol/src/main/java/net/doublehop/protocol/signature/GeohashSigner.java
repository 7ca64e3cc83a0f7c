package net.doublehop.protocol.signature;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.sf.InnerList;
import net.doublehop.protocol.sf.Member;
import net.doublehop.protocol.sf.StructuredFields;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Proxy A's side of docs/architecture.md §2: signs {@code sec-ch-geohash} as an RFC 9421 message signature with
 * Ed25519, label {@code geo}, tag {@code sec-ch-geohash}, {@code created}/{@code expires} and a nonce.
 * Ed25519 is BouncyCastle's (several times cheaper than the JDK's, same signature bytes); a key it cannot take
 * (a provider's key without a standard encoding) is signed with the JDK's {@link Signature}. Thread-safe.
 */
public final class GeohashSigner {

    private final PrivateKey key;
    /** {@link #key}'s 32-byte seed and encoded public key for BouncyCastle, derived once; null: the JDK signs. */
    private final byte[] bcSeed;
    private final byte[] bcPublicKey;
    private final String keyId;
    private final Duration validity;
    private final Clock clock;
    private final SecureRandom random;

    public GeohashSigner(PrivateKey ed25519, String keyId, Duration validity, Clock clock, SecureRandom random) {
        if (!"Ed25519".equals(ed25519.getAlgorithm()) && !"EdDSA".equals(ed25519.getAlgorithm())) {
            throw new IllegalArgumentException("geohash signing needs an Ed25519 key");
        }
        if (keyId == null || keyId.isBlank() || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("key id and a positive validity are required");
        }
        this.key = ed25519;
        Ed25519PrivateKeyParameters bc = Ed25519Bc.privateKey(ed25519);
        this.bcSeed = bc == null ? null : bc.getEncoded();
        this.bcPublicKey = bc == null ? null : bc.generatePublicKey().getEncoded();
        this.keyId = keyId;
        this.validity = validity;
        this.clock = clock;
        this.random = random;
    }

    public SignedGeohash sign(GeohashHint hint) {
        long created = clock.instant().getEpochSecond();
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("created", created);
        params.put("expires", created + validity.toSeconds());
        params.put("nonce", Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
        params.put("keyid", keyId);
        params.put("alg", "ed25519");
        params.put("tag", GeohashSignatureBase.TAG);
        String signatureParams = StructuredFields.serializeInnerList(
                new InnerList(List.of(new Member(GeohashSignatureBase.COMPONENT, Map.of()))), params);
        String value = hint.headerValue();
        byte[] sig = signature(GeohashSignatureBase.build(value, signatureParams));
        return new SignedGeohash(value, GeohashSignatureBase.LABEL + "=" + signatureParams,
                GeohashSignatureBase.LABEL + "=:" + Base64.getEncoder().encodeToString(sig) + ":");
    }

    /** The Ed25519 signature of a signature base: BouncyCastle's when the key converted, else the JDK's. */
    byte[] signature(byte[] signatureBase) {
        if (bcSeed != null) {
            return Ed25519Bc.sign(bcSeed, bcPublicKey, signatureBase);
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(signatureBase);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }
}
