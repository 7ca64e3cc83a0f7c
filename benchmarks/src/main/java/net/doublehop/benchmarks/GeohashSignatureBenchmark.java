package net.doublehop.benchmarks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.signature.Ed25519Keys;
import net.doublehop.protocol.signature.GeohashSignatureVerifier;
import net.doublehop.protocol.signature.GeohashSigner;
import net.doublehop.protocol.signature.SignedGeohash;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The signed geohash of docs/architecture.md §2 (RFC 9421, Ed25519): Proxy A signs it once per tunnel, Proxy B verifies it
 * once per tunnel before choosing an egress pool. Both run on the event loop, so their cost is setup latency.
 *
 * <p>{@code jdkEd25519VerifyOnly} and {@code bouncyCastleEd25519VerifyOnly} are references, not production code: the
 * Ed25519 verification alone of the same signature base, by the JDK (SunEC, what the verifier used until the
 * perf-crypto change) and by BouncyCastle (what signer and verifier use now; both decode the public key once).
 * The difference between {@code verify} and the second is what parsing the structured fields, the checks and
 * rebuilding the signature base cost; between the two references, what the choice of Ed25519 implementation
 * costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GeohashSignatureBenchmark {

    static final Instant T0 = Instant.parse("2026-11-22T12:00:00Z");
    static final GeohashHint HINT = GeohashHint.parse("xn76c-JP");

    GeohashSigner signer;
    GeohashSignatureVerifier verifier;
    SignedGeohash signed;
    KeyPair key;
    byte[] signatureBase;
    byte[] signature;
    Ed25519PublicKeyParameters bcPublicKey;

    @Setup
    public void setUp() throws GeneralSecurityException {
        key = Ed25519Keys.generate();
        // Fixed clocks: the signature stays fresh however long the run, so every call takes the success path.
        signer = new GeohashSigner(key.getPrivate(), "a-new", Duration.ofMinutes(5), Clock.fixed(T0, ZoneOffset.UTC),
                new SecureRandom());
        // Two trusted keys, as during a rotation.
        verifier = new GeohashSignatureVerifier(Map.of("a-old", Ed25519Keys.generate().getPublic(),
                "a-new", key.getPublic()), Clock.fixed(T0.plusSeconds(10), ZoneOffset.UTC), Duration.ofSeconds(30),
                Duration.ofHours(1));
        signed = signer.sign(HINT);
        // The RFC 9421 signature base as GeohashSignatureBase builds it, for the reference benchmark.
        String params = signed.signatureInput().substring("geo=".length());
        signatureBase = ("\"sec-ch-geohash\": " + signed.geohash() + "\n\"@signature-params\": " + params)
                .getBytes(StandardCharsets.US_ASCII);
        String sig = signed.signature();
        signature = Base64.getDecoder().decode(sig.substring("geo=:".length(), sig.length() - 1));
        bcPublicKey = new Ed25519PublicKeyParameters(Ed25519Keys.rawPublicKey(key.getPublic()), 0);
    }

    /** Proxy B: parse Signature-Input and Signature, check key, freshness and components, verify Ed25519. */
    @Benchmark
    public GeohashHint verify() {
        return verifier.verify(signed.geohash(), signed.signatureInput(), signed.signature());
    }

    /** Proxy A: nonce, Signature-Input, Ed25519 signature. */
    @Benchmark
    public SignedGeohash sign() {
        return signer.sign(HINT);
    }

    /** Reference: the JDK's Ed25519 verification alone, on the same bytes. */
    @Benchmark
    public boolean jdkEd25519VerifyOnly() throws GeneralSecurityException {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key.getPublic());
        s.update(signatureBase);
        return s.verify(signature);
    }

    /** Reference: BouncyCastle's Ed25519 verification alone, on the same bytes. */
    @Benchmark
    public boolean bouncyCastleEd25519VerifyOnly() {
        Ed25519Signer s = new Ed25519Signer();
        s.init(false, bcPublicKey);
        s.update(signatureBase, 0, signatureBase.length);
        return s.verifySignature(signature);
    }
}
