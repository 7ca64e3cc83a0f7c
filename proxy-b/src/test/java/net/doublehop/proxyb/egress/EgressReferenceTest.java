package net.doublehop.proxyb.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.doublehop.geo.Geohash;
import org.junit.jupiter.api.Test;

/**
 * RendezvousPicker.rank and PoolSelector.select against straightforward reference implementations (the code
 * they replaced: a digest per comparison, a stream over all pools decoding cell centres per comparison) on many
 * random deployments and requests from a fixed seed: the optimised versions must give the same answers.
 */
class EgressReferenceTest {

    // ---- references ---------------------------------------------------------------------------------------

    static List<InetAddress> referenceRank(EgressPool pool, String cell, String destinationHost) {
        byte[] key = (pool.name() + "\u0000" + (cell == null ? "" : cell) + "\u0000"
                + (destinationHost == null ? "" : destinationHost) + "\u0000").getBytes(StandardCharsets.UTF_8);
        return pool.addresses().stream()
                .sorted(Comparator.comparingLong((InetAddress a) -> referenceWeight(key, a)).reversed()
                        .thenComparing(InetAddress::getHostAddress))
                .toList();
    }

    static long referenceWeight(byte[] key, InetAddress address) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(key);
            md.update(address.getAddress());
            return ByteBuffer.wrap(md.digest()).getLong() >>> 1;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Optional<EgressPool> referenceSelect(List<EgressPool> pools, Optional<EgressPool> defaultPool,
            String geohash, String country) {
        if (country != null) {
            List<EgressPool> ofCountry = pools.stream().filter(p -> p.country().equals(country)).toList();
            if (!ofCountry.isEmpty()) {
                if (geohash == null || geohash.isEmpty()) {
                    return ofCountry.stream().min(Comparator.comparing(EgressPool::name));
                }
                Comparator<EgressPool> byPrefix = Comparator.comparingInt(
                        (EgressPool p) -> Geohash.commonPrefixLength(p.geohash(), geohash)).reversed();
                return ofCountry.stream().min(byPrefix
                        .thenComparingDouble(p -> Geohash.distanceKm(p.geohash(), geohash))
                        .thenComparing(EgressPool::name));
            }
        }
        return defaultPool;
    }

    // ---- random inputs ------------------------------------------------------------------------------------

    static InetAddress randomAddress(Random random) throws UnknownHostException {
        byte[] b = new byte[random.nextInt(3) == 0 ? 16 : 4];
        random.nextBytes(b);
        return InetAddress.getByAddress(b);
    }

    static String randomGeohash(Random random, int precision) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < precision; i++) {
            s.append(Geohash.ALPHABET.charAt(random.nextInt(Geohash.ALPHABET.length())));
        }
        return s.toString();
    }

    /** A geohash near one of a few seeds, so prefixes are often shared (and sometimes equal). */
    static String nearbyGeohash(Random random, String[] seeds) {
        String seed = seeds[random.nextInt(seeds.length)];
        int keep = random.nextInt(seed.length() + 1);
        String g = seed.substring(0, keep) + randomGeohash(random, random.nextInt(6));
        return g.isEmpty() ? seed : g.substring(0, Math.min(g.length(), Geohash.MAX_PRECISION));
    }

    // ---- tests --------------------------------------------------------------------------------------------

    @Test
    void rankMatchesTheReference() throws Exception {
        Random random = new Random(20261128L);
        for (int round = 0; round < 2000; round++) {
            int n = 1 + random.nextInt(round % 10 == 0 ? 200 : 40);
            List<InetAddress> addresses = new ArrayList<>();
            while (addresses.size() < n) {
                InetAddress a = randomAddress(random);
                if (!addresses.contains(a)) {
                    addresses.add(a);
                }
            }
            EgressPool pool = new EgressPool("pool-" + random.nextInt(50), "JP", randomGeohash(random, 4),
                    Optional.empty(), Optional.empty(), addresses);
            String cell = random.nextInt(10) == 0 ? null : randomGeohash(random, 1 + random.nextInt(8));
            String host = random.nextInt(10) == 0 ? null : "h" + random.nextInt(1000) + ".example";
            assertThat(RendezvousPicker.rank(pool, cell, host)).as("round %d", round)
                    .containsExactlyElementsOf(referenceRank(pool, cell, host));
            for (InetAddress a : addresses.subList(0, Math.min(3, n))) {
                byte[] key = (pool.name() + "\u0000" + cell + "\u0000").getBytes(StandardCharsets.UTF_8);
                assertThat(RendezvousPicker.weight(key, a)).isEqualTo(referenceWeight(key, a));
            }
        }
    }

    @Test
    void selectMatchesTheReference() throws Exception {
        Random random = new Random(3L);
        String[] countries = {"JP", "GB", "US", "DE"};
        for (int deployment = 0; deployment < 200; deployment++) {
            String[] seeds = {randomGeohash(random, 6), randomGeohash(random, 6), randomGeohash(random, 6)};
            List<EgressPool> pools = new ArrayList<>();
            int n = 1 + random.nextInt(30);
            for (int p = 0; p < n; p++) {
                // A few pools share a geohash: ties on prefix and distance, decided by name.
                String geohash = random.nextInt(5) == 0 && !pools.isEmpty()
                        ? pools.get(random.nextInt(pools.size())).geohash() : nearbyGeohash(random, seeds);
                pools.add(new EgressPool("p" + random.nextInt(1_000_000) + "-" + p,
                        countries[random.nextInt(random.nextBoolean() ? 2 : countries.length)], geohash,
                        Optional.empty(), Optional.empty(), List.of(randomAddress(random))));
            }
            Optional<String> defaultName = random.nextBoolean()
                    ? Optional.of(pools.get(random.nextInt(n)).name()) : Optional.empty();
            PoolSelector selector = new PoolSelector(pools, defaultName);
            Optional<EgressPool> defaultPool = defaultName.map(d -> pools.stream()
                    .filter(p -> p.name().equals(d)).findFirst().orElseThrow());
            for (int request = 0; request < 100; request++) {
                String country = switch (random.nextInt(12)) {
                    case 0 -> null;
                    case 1 -> "NZ";
                    default -> countries[random.nextInt(countries.length)];
                };
                String geohash = switch (random.nextInt(12)) {
                    case 0 -> null;
                    case 1 -> "";
                    case 2 -> randomGeohash(random, 1 + random.nextInt(12));
                    default -> nearbyGeohash(random, seeds);
                };
                assertThat(selector.select(geohash, country)).as("deployment %d, %s-%s", deployment, geohash, country)
                        .isEqualTo(referenceSelect(pools, defaultPool, geohash, country));
            }
        }
    }

    /** A request geohash that is no geohash: the same answer, or the same exception, as the reference. */
    @Test
    void invalidHintGeohashBehavesAsTheReference() throws Exception {
        List<EgressPool> pools = List.of(
                new EgressPool("a", "JP", "xn76", Optional.empty(), Optional.empty(), List.of(randomAddress(new Random(1)))),
                new EgressPool("b", "JP", "xn0m", Optional.empty(), Optional.empty(), List.of(randomAddress(new Random(2)))),
                new EgressPool("c", "GB", "gcpv", Optional.empty(), Optional.empty(), List.of(randomAddress(new Random(3)))));
        PoolSelector selector = new PoolSelector(pools, Optional.empty());
        for (String geohash : new String[] {"xn7a", "xn0ma", "ilo", "gcpva", "zzzzzzzzzzzzzz"}) {
            for (String country : new String[] {"JP", "GB"}) {
                Object expected;
                try {
                    expected = referenceSelect(pools, Optional.empty(), geohash, country);
                } catch (RuntimeException e) {
                    expected = e.getClass();
                }
                Object actual;
                try {
                    actual = selector.select(geohash, country);
                } catch (RuntimeException e) {
                    actual = e.getClass();
                }
                assertThat(actual).as("%s-%s", geohash, country).isEqualTo(expected);
            }
        }
    }
}
