package net.doublehop.benchmarks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.doublehop.geo.Geohash;
import net.doublehop.proxyb.egress.EgressPool;
import net.doublehop.proxyb.egress.PoolSelector;
import net.doublehop.proxyb.egress.RendezvousPicker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Proxy B's egress choice per tunnel (docs/architecture.md §3): EgressSelection's PoolSelector.select for the located
 * {@code (geohash, country)}, then EgressDialer's RendezvousPicker.rank of that pool's addresses for
 * (pool, cell, destination host). Both run on the event loop for every CONNECT and CONNECT-UDP.
 *
 * <p>Sizes are a mid-sized deployment: {@code pools} pools spread over 10 countries (5 per country by default),
 * {@code addressesPerPool} addresses each; override with {@code -p pools=200 -p addressesPerPool=64}. Requests
 * cycle through 256 precomputed hints (precision-5 cells near the pools, 1 in 10 from a country without a pool,
 * which falls back to the default pool) and 64 destination hosts, so neither branch nor cache sees one input.
 *
 * <p>{@code sha256PerAddressReference} is a reference, not production code: one SHA-256 per address of a pool
 * with the same key layout, the least work a rendezvous rank with SHA-256 weights needs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PoolSelectionBenchmark {

    /** Country codes and rough centres; the pools and clients of each are scattered within ±3 degrees. */
    static final String[] COUNTRIES = {"JP", "GB", "US", "DE", "FR", "BR", "IN", "AU", "CA", "ZA"};
    static final double[][] CENTRES = {{36, 138}, {53, -1}, {39, -98}, {51, 10}, {47, 2}, {-12, -52}, {22, 79},
        {-25, 134}, {56, -106}, {-29, 24}};
    static final int REQUESTS = 256; // a power of two: the index is a mask

    @Param("50")
    int pools;

    @Param("16")
    int addressesPerPool;

    PoolSelector selector;
    String[] geohashes;
    String[] countries;
    String[] hosts;
    EgressPool[] selected;
    int next;

    @Setup
    public void setUp() throws UnknownHostException {
        Random random = new Random(42); // fixed seed: the same deployment and requests in every run
        List<EgressPool> all = new ArrayList<>();
        for (int p = 0; p < pools; p++) {
            int c = p % COUNTRIES.length;
            List<InetAddress> addresses = new ArrayList<>();
            for (int a = 0; a < addressesPerPool; a++) {
                addresses.add(InetAddress.getByAddress(new byte[] {10, (byte) (p >> 8), (byte) p, (byte) (a + 1)}));
            }
            all.add(new EgressPool("pool-" + p, COUNTRIES[c], near(random, c, 4), Optional.empty(), Optional.empty(),
                    addresses));
        }
        selector = new PoolSelector(all, Optional.of("pool-0"));
        geohashes = new String[REQUESTS];
        countries = new String[REQUESTS];
        selected = new EgressPool[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            int c = random.nextInt(COUNTRIES.length);
            geohashes[i] = near(random, c, 5);
            countries[i] = random.nextInt(10) == 0 ? "NZ" : COUNTRIES[c]; // no NZ pool: the default pool
            selected[i] = selector.select(geohashes[i], countries[i]).orElseThrow();
        }
        hosts = new String[64];
        for (int i = 0; i < hosts.length; i++) {
            hosts[i] = "site-" + i + ".example.com";
        }
    }

    private static String near(Random random, int country, int precision) {
        return Geohash.encode(CENTRES[country][0] + (random.nextDouble() * 6 - 3),
                CENTRES[country][1] + (random.nextDouble() * 6 - 3), precision);
    }

    /** EgressSelection: the pool for a located hint. */
    @Benchmark
    public Optional<EgressPool> selectPool() {
        int i = next++ & (REQUESTS - 1);
        return selector.select(geohashes[i], countries[i]);
    }

    /** EgressDialer: the selected pool's addresses in rendezvous order for (pool, cell, host). */
    @Benchmark
    public List<InetAddress> rankAddresses() {
        int i = next++ & (REQUESTS - 1);
        return RendezvousPicker.rank(selected[i], geohashes[i], hosts[i & 63]);
    }

    /** Both, as one tunnel pays them. */
    @Benchmark
    public List<InetAddress> selectAndRank() {
        int i = next++ & (REQUESTS - 1);
        EgressPool pool = selector.select(geohashes[i], countries[i]).orElseThrow();
        return RendezvousPicker.rank(pool, geohashes[i], hosts[i & 63]);
    }

    /** Reference: one SHA-256 of (key, address) per address of the pool, the floor of a SHA-256 rendezvous rank. */
    @Benchmark
    public long sha256PerAddressReference() throws NoSuchAlgorithmException {
        int i = next++ & (REQUESTS - 1);
        EgressPool pool = selected[i];
        byte[] key = (pool.name() + "\u0000" + geohashes[i] + "\u0000" + hosts[i & 63] + "\u0000")
                .getBytes(StandardCharsets.UTF_8);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long best = -1;
        for (InetAddress a : pool.addresses()) {
            md.update(key);
            md.update(a.getAddress());
            best = Math.max(best, ByteBuffer.wrap(md.digest()).getLong() >>> 1);
        }
        return best;
    }
}
