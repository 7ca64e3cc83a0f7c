package net.doublehop.proxyb.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Verification policy for {@code sec-ch-geohash} and its RFC 9421 signature (docs/architecture.md §2). */
public record GeohashSettings(
        Optional<Path> trustedSigners,
        boolean requireSignature,
        int maxPrecision,
        Duration maxClockSkew,
        Duration maxValidity,
        boolean bindNonce) {

    public GeohashSettings {
        if (maxPrecision < 1 || maxPrecision > 12) {
            throw new IllegalArgumentException("geohash.max-precision must be 1..12");
        }
        if (requireSignature && trustedSigners.isEmpty()) {
            throw new IllegalArgumentException("geohash.require-signature needs geohash.trusted-signers");
        }
    }
}
