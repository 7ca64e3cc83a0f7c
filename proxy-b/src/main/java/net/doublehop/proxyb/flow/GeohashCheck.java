package net.doublehop.proxyb.flow;

import net.doublehop.runtime.trace.Stage;
import io.vertx.core.MultiMap;
import java.util.List;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.signature.GeohashSignatureVerifier;

/**
 * Stage 3, locate/verify: parses {@code sec-ch-geohash}, verifies its RFC 9421 signature when one is
 * sent (or required), and caps its precision. A request with no geohash gets no hint: egress then
 * falls back to the default pool.
 */
public final class GeohashCheck implements Stage<TunnelContext> {

    static final ProxyFailure SIGNATURE_MISSING = ProxyFailure.denied("geohash signature missing");
    static final ProxyFailure REPEATED = ProxyFailure.badRequest("sec-ch-geohash repeated");

    private final GeohashSignatureVerifier verifier;
    private final boolean requireSignature;
    private final int maxPrecision;
    private final NonceBinding nonces;

    /**
     * @param verifier null when no trusted signers are configured (signatures are then not checked)
     * @param nonces binds each signature to the connection that presented it first; null: no replay check
     */
    public GeohashCheck(GeohashSignatureVerifier verifier, boolean requireSignature, int maxPrecision,
            NonceBinding nonces) {
        this.verifier = verifier;
        this.requireSignature = requireSignature;
        this.maxPrecision = maxPrecision;
        this.nonces = nonces;
    }

    @Override
    public void apply(TunnelContext ctx) {
        MultiMap headers = ctx.request().headers();
        List<String> values = headers.getAll(HeaderNames.SEC_CH_GEOHASH);
        if (values.isEmpty()) {
            // No claim at all: the default pool, which the operator chose. require-signature guards claims
            // (a client may not pick a region without A's signature); it does not demand one.
            return;
        }
        if (values.size() > 1) {
            throw REPEATED;
        }
        String value = values.get(0);
        String signatureInput = headers.get(HeaderNames.SIGNATURE_INPUT);
        String signature = headers.get(HeaderNames.SIGNATURE);
        boolean signed = signatureInput != null || signature != null;
        GeohashHint hint;
        if (verifier != null && signed) {
            GeohashSignatureVerifier.Verified v = verifier.verifyDetailed(value, signatureInput, signature);
            if (nonces != null) {
                nonces.check(v.nonce(), v.expires(), ctx.request().connection());
            }
            hint = v.hint();
        } else if (requireSignature) {
            throw SIGNATURE_MISSING;
        } else {
            hint = GeohashHint.parse(value);
            signed = false;
        }
        // Finer than we need is refused silently by truncation: B only ever uses max-precision characters.
        ctx.hint(hint.truncate(maxPrecision), signed);
    }
}
