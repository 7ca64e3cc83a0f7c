package net.doublehop.proxyb.egress;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import net.doublehop.geo.Geohash;

/** A region's egress addresses: docs/architecture.md §3. Validated at construction, immutable. */
public record EgressPool(String name, String country, String geohash, Optional<String> region, Optional<String> city,
        List<InetAddress> addresses) {

    public EgressPool {
        if (name == null || !name.matches("[a-z0-9_-]+")) {
            throw new IllegalArgumentException("pool name must match [a-z0-9_-]+");
        }
        if (country == null || !country.matches("[A-Z]{2}")) {
            throw new IllegalArgumentException("pool '" + name + "': country must be an ISO 3166-1 alpha-2 code");
        }
        if (!Geohash.isValid(geohash)) {
            throw new IllegalArgumentException("pool '" + name + "': geohash is not a valid geohash");
        }
        region.ifPresent(r -> csvSafe(name, "region", r));
        city.ifPresent(c -> csvSafe(name, "city", c));
        if (addresses == null || addresses.isEmpty()) {
            throw new IllegalArgumentException("pool '" + name + "': at least one address is required");
        }
        if (new HashSet<>(addresses).size() != addresses.size()) {
            throw new IllegalArgumentException("pool '" + name + "': duplicate address");
        }
        addresses = List.copyOf(addresses);
    }

    private static void csvSafe(String pool, String key, String value) {
        if (value.contains(",") || value.contains("\n") || value.contains("\r") || value.contains("\"")) {
            throw new IllegalArgumentException("pool '" + pool + "': " + key + " must not contain commas, quotes "
                    + "or newlines (it is published in the RFC 8805 geofeed)");
        }
    }

    public boolean hasIpv6() {
        return addresses.stream().anyMatch(a -> a instanceof Inet6Address);
    }

    public boolean hasIpv4() {
        return addresses.stream().anyMatch(a -> !(a instanceof Inet6Address));
    }
}
