package net.doublehop.proxya.flow;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import net.doublehop.geo.IpLocator;
import net.doublehop.geo.Location;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.proxya.config.ProxyAConfig;

/**
 * Stage 3 at A, locate: the client's address to a geohash of the configured precision plus country. No
 * location is never a failure: the configured fallback, or no hint at all (B then uses its default pool).
 * A country-only location counts as no location, because {@code sec-ch-geohash} needs a geohash and inventing
 * a cell for a whole country would steer B to an arbitrary pool.
 *
 * <p>A lookup that fails (a database corrupt where this address's lookup walks: MaxMind's reader throws, and
 * {@code MmdbIpLocator} refuses with {@link IllegalArgumentException}) is treated as no location, for the same
 * reason: the tunnel goes on with the fallback or no hint, coarser but never wrong, instead of every user whose
 * address lands in the damage getting an error for the operator's file. It is logged as a warning (the first
 * failure and every {@value #WARN_EVERY}th after it, never the address) so that the file gets replaced.
 */
public final class ClientLocator {

    private static final Logger LOG = System.getLogger("proxy-a.geolocation");
    static final long WARN_EVERY = 1000;

    private final IpLocator locator;
    private final ProxyAConfig.Geolocation settings;
    private final AtomicLong lookupFailures = new AtomicLong();

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
        Optional<Location> found = lookup(client);
        Optional<GeohashHint> located = found.flatMap(l -> l.geohash(settings.precision())
                .map(gh -> new GeohashHint(gh, l.country())));
        if (located.isPresent()) {
            return located;
        }
        return settings.fallbackGeohash().flatMap(gh -> settings.fallbackCountry().map(c -> new GeohashHint(gh, c)));
    }

    /** The data set's answer; a failed lookup is no location (see the class comment). */
    private Optional<Location> lookup(InetAddress client) {
        try {
            return locator.locate(client);
        } catch (IllegalArgumentException e) {
            long n = lookupFailures.incrementAndGet();
            if (n == 1 || n % WARN_EVERY == 0) {
                // Only the reader's exception class: its message might quote the address being looked up.
                Throwable cause = e.getCause() == null ? e : e.getCause();
                LOG.log(Level.WARNING, "geolocation.database: lookup failed ({0} so far), the user gets the fallback "
                        + "location: the file is corrupt, replace it ({1})", n, cause.getClass().getName());
            }
            return Optional.empty();
        }
    }

    /** Lookups that failed since start. */
    public long lookupFailures() {
        return lookupFailures.get();
    }
}
