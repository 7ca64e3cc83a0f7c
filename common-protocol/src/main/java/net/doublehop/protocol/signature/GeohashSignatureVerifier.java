package net.doublehop.protocol.signature;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.sf.ByteSequence;
import net.doublehop.protocol.sf.InnerList;
import net.doublehop.protocol.sf.Member;
import net.doublehop.protocol.sf.StructuredFields;

/**
 * Proxy B's side of DESIGN.md §2: verifies the signed geohash against the trusted Proxy A keys
 * (several at once, for rotation), with freshness bounded by a maximum clock skew and validity.
 * Each failure has its own constant detail, so operators can tell them apart in {@code Proxy-Status}.
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
    private final Clock clock;
    private final long maxSkewSeconds;
    private final long maxValiditySeconds;

    public GeohashSignatureVerifier(Map<String, PublicKey> trustedKeys, Clock clock, Duration maxClockSkew,
            Duration maxValidity) {
        this.trustedKeys = Map.copyOf(trustedKeys);
        this.clock = clock;
        this.maxSkewSeconds = maxClockSkew.toSeconds();
        this.maxValiditySeconds = maxValidity.toSeconds();
    }

    public GeohashHint verify(String geohashHeader, String signatureInputHeader, String signatureHeader) {
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
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(GeohashSignatureBase.build(geohashHeader, params));
            if (!s.verify(sig.bytes())) {
                throw ProxyFailure.denied(INVALID);
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw ProxyFailure.denied(INVALID);
        }
        return hint;
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
