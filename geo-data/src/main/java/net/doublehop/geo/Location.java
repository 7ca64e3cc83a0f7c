package net.doublehop.geo;

import java.util.Optional;

/** A located address: its country (ISO 3166-1 alpha-2) and, when known, a position. */
public record Location(String country, Optional<LatLon> position) {

    /** The reduced-precision geohash of the position, or empty for country-only locations. */
    public Optional<String> geohash(int precision) {
        return position.map(p -> Geohash.encode(p.lat(), p.lon(), precision));
    }
}
