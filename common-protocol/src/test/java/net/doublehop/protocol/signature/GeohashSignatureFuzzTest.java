package net.doublehop.protocol.signature;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.ProxyFailure;

/**
 * Fuzz targets (Jazzer) for Proxy B's check of A's signed {@code sec-ch-geohash} (RFC 9421 over RFC 8941 fields):
 * any three header values are either verified or refused with a {@link ProxyFailure} (400 or 403), never another
 * exception; and a genuine signature edited anywhere either fails, or still verifies to exactly the hint A signed
 * (what verifies is never something the signer did not sign). Key, clock and nonces are fixed, so every input
 * replays the same.
 */
class GeohashSignatureFuzzTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final GeohashHint SIGNED = new GeohashHint("xn76c", "JP");
    private static final GeohashSignatureVerifier VERIFIER;
    private static final SignedGeohash GENUINE;

    static {
        try {
            // PKCS#8 wrapping of a fixed 32-byte Ed25519 seed (RFC 8410 §7)
            byte[] pkcs8 = HexFormat.of().parseHex("302e020100300506032b657004220420"
                    + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
            PrivateKey key = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            SecureRandom nonces = SecureRandom.getInstance("SHA1PRNG");
            nonces.setSeed(42);
            Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
            GENUINE = new GeohashSigner(key, "proxy-a-1", Duration.ofMinutes(5), clock, nonces).sign(SIGNED);
            VERIFIER = new GeohashSignatureVerifier(Map.of("proxy-a-1", Ed25519Keys.publicKeyOf(key)), clock,
                    Duration.ofSeconds(30), Duration.ofHours(1));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static void assertRefusal(ProxyFailure f) {
        assertThat(f.status()).as(f.getMessage()).isIn(400, 403);
    }

    @FuzzTest
    void anyHeaders(FuzzedDataProvider data) {
        String geohash = data.consumeString(64);
        String input = data.consumeString(400);
        String signature = data.consumeRemainingAsString();
        try {
            GeohashHint h = VERIFIER.verify(geohash, input, signature);
            assertThat(h).isNotNull();
        } catch (ProxyFailure f) {
            assertRefusal(f);
        }
    }

    @FuzzTest
    void editedGenuineSignature(FuzzedDataProvider data) {
        StringBuilder[] fields = {new StringBuilder(GENUINE.geohash()), new StringBuilder(GENUINE.signatureInput()),
            new StringBuilder(GENUINE.signature())};
        int edits = data.consumeInt(0, 8);
        for (int i = 0; i < edits; i++) {
            StringBuilder f = fields[data.consumeInt(0, 2)];
            int at = data.consumeInt(0, f.length());
            char c = (char) (data.consumeByte() & 0xff);
            switch (data.consumeInt(0, 2)) {
                case 0 -> f.insert(at, c);
                case 1 -> {
                    if (at < f.length()) {
                        f.setCharAt(at, c);
                    }
                }
                default -> {
                    if (at < f.length()) {
                        f.deleteCharAt(at);
                    }
                }
            }
        }
        try {
            assertThat(VERIFIER.verify(fields[0].toString(), fields[1].toString(), fields[2].toString()))
                    .isEqualTo(SIGNED);
        } catch (ProxyFailure f) {
            assertRefusal(f);
        }
    }
}
