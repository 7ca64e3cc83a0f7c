package net.doublehop.protocol.signature;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.sf.ByteSequence;
import net.doublehop.protocol.sf.InnerList;
import net.doublehop.protocol.sf.Member;
import net.doublehop.protocol.sf.StructuredFields;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * Proxy B's side of docs/architecture.md §2: verifies the signed geohash against the trusted Proxy A keys
 * (several at once, for rotation), with freshness bounded by a maximum clock skew and validity.
 * Each failure has its own constant detail, so operators can tell them apart in {@code Proxy-Status}.
 * Ed25519 is BouncyCastle's, strict as RFC 8032 requires, with each trusted key decoded once at construction;
 * a key it cannot take is verified with the JDK's {@link Signature}.
 */
public final class GeohashSignatureVerifier {

    public static final String MISSING = "geohash signature missing";
    public static final String MALFORMED = "geohash signature malformed";
    public static final String KEY_UNKNOWN = "geohash signature key unknown";
    public static final String ALG_UNSUPPORTED = "geohash signature algorithm unsupported";
    public static final String NOT_YET_VALID = "geohash signature not yet valid";
    public static final String EXPIRED = "geohash signature expired";
    public static final String TOO_LONG = "geohash signature validity too long";
    public static final String WRONG_COMPONENTS = "geohash signature covers wrong components";
    public static final String INVALID = "geohash signature invalid";

    private final Map<String, PublicKey> trustedKeys;
    /** BouncyCastle's form of each trusted key that converted; a key missing here is verified by the JDK. */
    private final Map<String, Ed25519PublicKeyParameters> bcKeys;
    private final Clock clock;
    private final long maxSkewSeconds;
    private final long maxValiditySeconds;

    public GeohashSignatureVerifier(Map<String, PublicKey> trustedKeys, Clock clock, Duration maxClockSkew,
            Duration maxValidity) {
        this.trustedKeys = Map.copyOf(trustedKeys);
        Map<String, Ed25519PublicKeyParameters> bc = new HashMap<>();
        this.trustedKeys.forEach((id, key) -> {
            Ed25519PublicKeyParameters p = Ed25519Bc.publicKey(key);
            if (p != null) {
                bc.put(id, p);
            }
        });
        this.bcKeys = Map.copyOf(bc);
        this.clock = clock;
        this.maxSkewSeconds = maxClockSkew.toSeconds();
        this.maxValiditySeconds = maxValidity.toSeconds();
    }

    /** A verified signature: the hint, and the signature's {@code nonce} (null when it has none) and {@code expires}. */
    public record Verified(GeohashHint hint, String nonce, long expires) { }

    public GeohashHint verify(String geohashHeader, String signatureInputHeader, String signatureHeader) {
        return verifyDetailed(geohashHeader, signatureInputHeader, signatureHeader).hint();
    }

    /** As {@link #verify}, with what a replay check needs (RFC 9421 §7.2.2: nonce and expiry). */
    public Verified verifyDetailed(String geohashHeader, String signatureInputHeader, String signatureHeader) {
        GeohashHint hint = GeohashHint.parse(geohashHeader); // 400 if malformed, before any crypto
        if (signatureInputHeader == null || signatureHeader == null) {
            throw ProxyFailure.denied(MISSING);
        }
        Map<String, Member> inputs;
        Map<String, Member> signatures;
        try {
            inputs = StructuredFields.parseDictionary(signatureInputHeader);
            signatures = StructuredFields.parseDictionary(signatureHeader);
        } catch (IllegalArgumentException e) {
            throw ProxyFailure.denied(MALFORMED);
        }
        String label = selectLabel(inputs);
        if (label == null) {
            throw ProxyFailure.denied(MISSING);
        }
        Member input = inputs.get(label);
        Member sigMember = signatures.get(label);
        if (sigMember == null || !(sigMember.value() instanceof ByteSequence sig)
                || !(input.value() instanceof InnerList covered)) {
            throw ProxyFailure.denied(MALFORMED);
        }
        if (covered.items().size() != 1 || !GeohashSignatureBase.COMPONENT.equals(covered.items().get(0).value())
                || !covered.items().get(0).params().isEmpty()) {
            throw ProxyFailure.denied(WRONG_COMPONENTS);
        }
        Object alg = input.param("alg");
        if (alg != null && !"ed25519".equals(alg)) {
            throw ProxyFailure.denied(ALG_UNSUPPORTED);
        }
        if (!(input.param("keyid") instanceof String keyId)) {
            throw ProxyFailure.denied(MALFORMED);
        }
        if (!(input.param("created") instanceof Long created) || !(input.param("expires") instanceof Long expires)) {
            throw ProxyFailure.denied(MALFORMED);
        }
        PublicKey key = trustedKeys.get(keyId);
        if (key == null) {
            throw ProxyFailure.denied(KEY_UNKNOWN);
        }
        long now = clock.instant().getEpochSecond();
        if (created > now + maxSkewSeconds) {
            throw ProxyFailure.denied(NOT_YET_VALID);
        }
        if (expires < now - maxSkewSeconds) {
            throw ProxyFailure.denied(EXPIRED);
        }
        if (expires < created || expires - created > maxValiditySeconds) {
            throw ProxyFailure.denied(TOO_LONG);
        }
        String params = StructuredFields.serializeInnerList(covered, input.params());
        if (!verifies(keyId, key, GeohashSignatureBase.build(geohashHeader, params), sig.bytes())) {
            throw ProxyFailure.denied(INVALID);
        }
        return new Verified(hint, input.param("nonce") instanceof String n ? n : null, expires);
    }

    private boolean verifies(String keyId, PublicKey key, byte[] signatureBase, byte[] signature) {
        Ed25519PublicKeyParameters bc = bcKeys.get(keyId);
        if (bc != null) {
            return Ed25519Bc.verify(bc, signatureBase, signature);
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(signatureBase);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The member tagged {@code sec-ch-geohash}, else the one labelled {@code geo}. */
    private static String selectLabel(Map<String, Member> inputs) {
        for (Map.Entry<String, Member> e : inputs.entrySet()) {
            if (GeohashSignatureBase.TAG.equals(e.getValue().param("tag"))) {
                return e.getKey();
            }
        }
        return inputs.containsKey(GeohashSignatureBase.LABEL) ? GeohashSignatureBase.LABEL : null;
    }
}
