package net.doublehop.geo;

import com.maxmind.db.CHMCache;
import com.maxmind.db.InvalidDatabaseException;
import com.maxmind.db.MaxMindDbParameter;
import com.maxmind.db.Reader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * IP → location from a MaxMind DB file ({@code .mmdb}: MaxMind GeoIP2/GeoLite2 City, DB-IP City Lite), read with
 * MaxMind's own reader ({@code com.maxmind.db}). The file is memory-mapped; a lookup decodes only the keys named
 * below, and decoded records are cached by their offset in the file (many networks share one record). Uses
 * {@code country.iso_code} (else {@code registered_country.iso_code}) and {@code location.latitude/longitude}.
 */
public final class MmdbIpLocator implements IpLocator {

    private final Reader reader;

    private MmdbIpLocator(Reader reader) {
        this.reader = reader;
    }

    /**
     * Opens and maps the file; the mapping lives as long as the locator (the proxy's lifetime).
     *
     * @throws IllegalArgumentException when the file is not a MaxMind DB (config error, reported at start)
     */
    public static MmdbIpLocator open(Path file) throws IOException {
        try {
            return new MmdbIpLocator(new Reader(file.toFile(), Reader.FileMode.MEMORY_MAPPED, new CHMCache()));
        } catch (InvalidDatabaseException | CharacterCodingException | RuntimeException e) {
            // What MaxMind's reader cannot decode is "not a MaxMind DB" however it says so: GeoLoadersFuzzTest found
            // a string that is not UTF-8 (CharacterCodingException) and metadata without a required field
            // (DeserializationException, a RuntimeException) besides its InvalidDatabaseException.
            throw notMaxMind(e);
        } catch (StackOverflowError e) {
            throw pointerCycle(e);
        }
    }

    private static IllegalArgumentException notMaxMind(Exception e) {
        return new IllegalArgumentException("not a MaxMind DB file: "
                + (e instanceof CharacterCodingException ? "a string in it is not UTF-8" : e.getMessage()), e);
    }

    /** {@link #open} for a database already in memory (the fuzz target's way in: no file per input). */
    static MmdbIpLocator of(byte[] database) throws IOException {
        try {
            return new MmdbIpLocator(new Reader(new java.io.ByteArrayInputStream(database), new CHMCache()));
        } catch (InvalidDatabaseException | CharacterCodingException | RuntimeException e) {
            throw notMaxMind(e);
        } catch (StackOverflowError e) {
            throw pointerCycle(e);
        }
    }

    /**
     * MaxMind's reader follows data pointers by recursion, without a bound: a file whose pointers form a cycle (found
     * by GeoLoadersFuzzTest) overflows the stack. That is a corrupt file, refused as one, not an error of the proxy.
     */
    private static IllegalArgumentException pointerCycle(StackOverflowError e) {
        return new IllegalArgumentException("not a MaxMind DB file: its data pointers form a cycle", e);
    }

    public String databaseType() {
        return reader.getMetadata().databaseType();
    }

    @Override
    public Optional<Location> locate(InetAddress address) {
        CityRecord record;
        try {
            record = reader.get(Cidr.unmapped(address), CityRecord.class);
        } catch (IOException | RuntimeException e) {
            // a corrupt file, found only where a lookup walks into the damage (a record of the wrong shape is a
            // DeserializationException, a RuntimeException)
            throw new IllegalArgumentException("MaxMind DB lookup failed: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw pointerCycle(e);
        }
        if (record == null) {
            return Optional.empty();
        }
        String country = isoCode(record.country()).or(() -> isoCode(record.registeredCountry())).orElse(null);
        if (country == null || !country.matches("[A-Z]{2}")) {
            return Optional.empty();
        }
        Optional<LatLon> position = Optional.empty();
        Position p = record.location();
        if (p != null && p.latitude() != null && p.longitude() != null) {
            try {
                position = Optional.of(new LatLon(p.latitude(), p.longitude()));
            } catch (IllegalArgumentException e) {
                position = Optional.empty(); // out of range: treat as country-only
            }
        }
        return Optional.of(new Location(country, position));
    }

    private static Optional<String> isoCode(Country c) {
        return c == null ? Optional.empty() : Optional.ofNullable(c.isoCode());
    }

    // The shapes MaxMind's reader decodes a record into; keys not named here are skipped, not decoded. Public only
    // because the reader instantiates them by reflection from its own package.

    /** The part of a City record this locator reads. */
    public record CityRecord(
            @MaxMindDbParameter(name = "country") Country country,
            @MaxMindDbParameter(name = "registered_country") Country registeredCountry,
            @MaxMindDbParameter(name = "location") Position location) {
    }

    /** {@code country} and {@code registered_country}. */
    public record Country(@MaxMindDbParameter(name = "iso_code") String isoCode) {
    }

    /** {@code location}. */
    public record Position(
            @MaxMindDbParameter(name = "latitude") Double latitude,
            @MaxMindDbParameter(name = "longitude") Double longitude) {
    }
}
