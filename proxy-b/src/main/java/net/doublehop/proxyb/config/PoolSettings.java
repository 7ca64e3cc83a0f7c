package net.doublehop.proxyb.config;

import java.util.List;
import java.util.Optional;

/** One {@code egress.pools[]} entry as written; turned into an {@code EgressPool} after address expansion. */
public record PoolSettings(String name, String country, String geohash, Optional<String> region,
        Optional<String> city, List<String> addresses) {

    public PoolSettings {
        addresses = List.copyOf(addresses);
    }
}
