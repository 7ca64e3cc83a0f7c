package net.doublehop.proxyb.egress;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.doublehop.geo.Geohash;
import net.doublehop.geo.LatLon;

/**
 * docs/architecture.md §3 pool choice for a hint {@code (geohash, country)}: the country's pools sharing the longest
 * geohash prefix (ties by distance between cell centres, then name), else the country's nearest pool,
 * else the default pool, else none.
 *
 * <p>The pools are grouped by country and their cell centres decoded once, at construction: {@link #select} runs
 * on the event loop for every tunnel.
 */
public final class PoolSelector {

    private final List<EgressPool> pools;
    private final Optional<EgressPool> defaultPool;
    /** Each country's pools in configuration order, with their cell centres. */
    private final Map<String, Candidate[]> byCountry;
    /** Each country's pool with the least name: the choice when the hint has no geohash. */
    private final Map<String, EgressPool> firstByName;

    public PoolSelector(List<EgressPool> pools, Optional<String> defaultPoolName) {
        this.pools = List.copyOf(pools);
        Set<String> names = new HashSet<>();
        for (EgressPool p : pools) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("duplicate pool name '" + p.name() + "'");
            }
        }
        this.defaultPool = defaultPoolName.map(n -> pools.stream().filter(p -> p.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("default pool '" + n + "' is not configured")));
        Map<String, List<Candidate>> grouped = new LinkedHashMap<>();
        for (EgressPool p : this.pools) {
            grouped.computeIfAbsent(p.country(), c -> new ArrayList<>())
                    .add(new Candidate(p, Geohash.centre(p.geohash())));
        }
        Map<String, Candidate[]> byCountry = new LinkedHashMap<>();
        Map<String, EgressPool> firstByName = new LinkedHashMap<>();
        grouped.forEach((country, candidates) -> {
            byCountry.put(country, candidates.toArray(Candidate[]::new));
            firstByName.put(country, candidates.stream().map(Candidate::pool)
                    .min(Comparator.comparing(EgressPool::name)).orElseThrow());
        });
        this.byCountry = Map.copyOf(byCountry);
        this.firstByName = Map.copyOf(firstByName);
    }

    public Optional<EgressPool> select(String geohash, String country) {
        if (country != null) {
            Candidate[] ofCountry = byCountry.get(country);
            if (ofCountry != null) {
                if (geohash == null || geohash.isEmpty()) {
                    return Optional.of(firstByName.get(country));
                }
                return Optional.of(best(ofCountry, geohash));
            }
        }
        return defaultPool;
    }

    /**
     * The least candidate in the order: longest common prefix with {@code geohash} first, then the nearest cell
     * centre, then the name. The same order serves both rules: when no prefix is shared (all zero) it degenerates
     * to nearest first. The comparisons are those of {@code Stream.min} over the country's pools in order; the
     * hint's centre is decoded only when a prefix tie needs a distance.
     */
    private static EgressPool best(Candidate[] candidates, String geohash) {
        Candidate best = candidates[0];
        int bestPrefix = Geohash.commonPrefixLength(best.pool().geohash(), geohash);
        double bestDistance = Double.NaN; // not computed yet
        LatLon hint = null;
        for (int i = 1; i < candidates.length; i++) {
            Candidate c = candidates[i];
            int prefix = Geohash.commonPrefixLength(c.pool().geohash(), geohash);
            if (prefix < bestPrefix) {
                continue;
            }
            if (prefix > bestPrefix) {
                best = c;
                bestPrefix = prefix;
                bestDistance = Double.NaN;
                continue;
            }
            if (hint == null) {
                hint = Geohash.centre(geohash);
            }
            if (Double.isNaN(bestDistance)) {
                bestDistance = Geohash.distanceKm(best.centre(), hint);
            }
            double distance = Geohash.distanceKm(c.centre(), hint);
            int byDistance = Double.compare(bestDistance, distance);
            if (byDistance > 0 || (byDistance == 0 && best.pool().name().compareTo(c.pool().name()) > 0)) {
                best = c;
                bestDistance = distance;
            }
        }
        return best.pool();
    }

    public List<EgressPool> pools() {
        return pools;
    }

    private record Candidate(EgressPool pool, LatLon centre) {
    }
}
