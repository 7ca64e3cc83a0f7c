package net.doublehop.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import net.doublehop.protocol.GeohashHint;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Each benchmark once, outside JMH: its fixture must drive the success path it claims to measure (a benchmark
 * that times an exception, or an empty loop, still prints a figure). JMH itself never runs in the build.
 */
class BenchmarkFixturesTest {

    // JMH guards direct construction with this phrase; a test calling the methods once is the intended exception.
    static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void capsuleStreamsYieldEveryDatagram() {
        CapsuleBenchmark b = new CapsuleBenchmark();
        b.setUp();
        assertThat(b.chunks.length).as("capsules straddle chunks").isGreaterThan(1);
        for (int pass = 0; pass < 2; pass++) { // the parser is reused across invocations
            assertThat(b.parseDatagramsOneBuffer(BH)).isEqualTo(CapsuleBenchmark.CAPSULES);
            assertThat(b.parseDatagramsChunked(BH)).isEqualTo(CapsuleBenchmark.CAPSULES);
        }
        assertThat(b.datagramCapsulePrefix()).containsExactly(0x00, 0x44, 0xb1, 0x00); // type 0, length 1201, ctx 0
        assertThat(b.writeDatagramCapsuleIntoBuffer()).isEqualTo(1204);
        assertThat(b.encodeDatagramCapsuleArray()).hasSize(1204)
                .isEqualTo(java.util.Arrays.copyOf(b.stream, 1204));
    }

    @Test
    void varintsRoundTrip() {
        QuicVarIntBenchmark b = new QuicVarIntBenchmark();
        b.setUp();
        long sum = 0;
        for (long v : b.values) {
            sum += v;
        }
        assertThat(b.decode()).isEqualTo(sum);
        assertThat(b.encode()).isEqualTo(b.encoded.capacity());
        assertThat(b.out.array()).isEqualTo(b.encoded.array());
    }

    @Test
    void geohashSignatureVerifies() throws Exception {
        GeohashSignatureBenchmark b = new GeohashSignatureBenchmark();
        b.setUp();
        assertThat(b.verify()).isEqualTo(new GeohashHint("xn76c", "JP"));
        assertThat(b.sign().geohash()).isEqualTo("xn76c-JP");
        assertThat(b.jdkEd25519VerifyOnly()).as("the reference verifies the same signature base").isTrue();
        assertThat(b.bouncyCastleEd25519VerifyOnly()).as("so does BouncyCastle's").isTrue();
    }

    @Test
    void privacyPassTokenVerifies() throws Exception {
        PrivacyPassBenchmark b = new PrivacyPassBenchmark();
        b.setUp();
        assertThat(b.verifyToken().nonce()).isEqualTo(b.token.nonce());
        assertThat(b.parseHeaderAndVerify().nonce()).isEqualTo(b.token.nonce());
        assertThat(b.jdkRsaPssVerifyOnly()).as("the JDK accepts the production authenticator").isTrue();
    }

    @Test
    void poolSelectionUsesCountryPoolsAndTheDefault() throws Exception {
        PoolSelectionBenchmark b = new PoolSelectionBenchmark();
        b.pools = 50;
        b.addressesPerPool = 16;
        b.setUp();
        assertThat(b.selector.pools()).hasSize(50);
        assertThat(b.selected).extracting(p -> p.name()).contains("pool-0").hasSizeGreaterThan(1);
        assertThat(java.util.Arrays.stream(b.selected).distinct().count()).as("many pools chosen").isGreaterThan(20);
        for (int i = 0; i < PoolSelectionBenchmark.REQUESTS; i++) {
            assertThat(b.selectPool()).isPresent();
            java.util.List<InetAddress> ranked = b.rankAddresses();
            assertThat(ranked).hasSize(16);
            assertThat(b.selectAndRank()).hasSize(16);
            assertThat(b.sha256PerAddressReference()).isNotNegative();
        }
    }

    @Test
    void mmdbLookupsFindCitiesAndMisses() throws Exception {
        MmdbLookupBenchmark b = new MmdbLookupBenchmark();
        b.networks = 2000;
        b.cities = 50;
        b.setUp();
        try {
            int found = 0;
            for (int i = 0; i < MmdbLookupBenchmark.ADDRESSES; i++) {
                java.util.Optional<net.doublehop.geo.Location> l = b.locate();
                if (l.isPresent()) {
                    found++;
                    assertThat(l.get().country()).matches("[A-Z]{2}");
                    assertThat(l.get().position()).isPresent();
                }
            }
            assertThat(found).as("one address in 16 is in no network").isEqualTo(MmdbLookupBenchmark.ADDRESSES / 16 * 15);
        } finally {
            b.tearDown();
        }
    }
}
