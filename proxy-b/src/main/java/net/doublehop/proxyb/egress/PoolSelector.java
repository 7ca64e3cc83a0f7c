package net.doublehop.proxyb.egress;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.doublehop.geo.Geohash;

/**
 * DESIGN.md §3 pool choice for a hint {@code (geohash, country)}: the country's pools sharing the longest
 * geohash prefix (ties by distance between cell centres, then name), else the country's nearest pool,
 * else the default pool, else none.
 */
public final class PoolSelector {

    private final List<EgressPool> pools;
    private final Optional<EgressPool> defaultPool;

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
    }

    public Optional<EgressPool> select(String geohash, String country) {
        if (country != null) {
            List<EgressPool> ofCountry = pools.stream().filter(p -> p.country().equals(country)).toList();
            if (!ofCountry.isEmpty()) {
                if (geohash == null || geohash.isEmpty()) {
                    return ofCountry.stream().min(Comparator.comparing(EgressPool::name));
                }
                Comparator<EgressPool> byPrefix = Comparator.comparingInt(
                        (EgressPool p) -> Geohash.commonPrefixLength(p.geohash(), geohash)).reversed();
                // The same order serves both rules: longest prefix first, and when no prefix is shared
                // (all zero) the order degenerates to nearest first.
                return ofCountry.stream().min(byPrefix
                        .thenComparingDouble(p -> Geohash.distanceKm(p.geohash(), geohash))
                        .thenComparing(EgressPool::name));
            }
        }
        return defaultPool;
    }

    public List<EgressPool> pools() {
        return pools;
    }
}
