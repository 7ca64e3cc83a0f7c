package net.doublehop.proxya.flow;

import java.net.InetAddress;
import java.util.Optional;
import net.doublehop.geo.IpLocator;
import net.doublehop.geo.Location;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.proxya.config.ProxyAConfig;

/**
 * Stage 3 at A, locate: the client's address to a geohash of the configured precision plus country. No
 * location is never a failure: the configured fallback, or no hint at all (B then uses its default pool).
 * A country-only location counts as no location, because {@code sec-ch-geohash} needs a geohash and inventing
 * a cell for a whole country would steer B to an arbitrary pool.
 */
public final class ClientLocator {

    private final IpLocator locator;
    private final ProxyAConfig.Geolocation settings;

    public ClientLocator(IpLocator locator, ProxyAConfig.Geolocation settings) {
        this.locator = locator;
        this.settings = settings;
    }

    /**
     * As {@link #locate(InetAddress)}, honouring a user's request for less precision: the {@code sec-ch-geohash}
     * the client sent (already parsed: a malformed one is refused before this, because sending the precise cell
     * when a user asked, with a typo, for less would be a privacy surprise) is used only when it is a prefix of
     * the located cell in the same country: coarser, never elsewhere and never finer.
     */
    public Optional<GeohashHint> locate(InetAddress client, Optional<GeohashHint> asked) {
        Optional<GeohashHint> located = locate(client);
        if (asked.isEmpty() || located.isEmpty()) {
            return located;
        }
        GeohashHint ours = located.get();
        GeohashHint coarser = asked.get();
        if (coarser.country().equals(ours.country()) && ours.geohash().startsWith(coarser.geohash())) {
            return asked;
        }
        return located;
    }

    public Optional<GeohashHint> locate(InetAddress client) {
        Optional<Location> found = locator.locate(client);
        Optional<GeohashHint> located = found.flatMap(l -> l.geohash(settings.precision())
                .map(gh -> new GeohashHint(gh, l.country())));
        if (located.isPresent()) {
            return located;
        }
        return settings.fallbackGeohash().flatMap(gh -> settings.fallbackCountry().map(c -> new GeohashHint(gh, c)));
    }
}
