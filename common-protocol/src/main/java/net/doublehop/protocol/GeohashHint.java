package net.doublehop.protocol;

import java.util.Locale;
import java.util.Set;

/**
 * The {@code sec-ch-geohash} hint, {@code <geohash>-<CC>} as Cloudflare Privacy Proxy defines it:
 * a geohash of 1–12 base-32 characters and an ISO 3166-1 alpha-2 country code (e.g. {@code xn76c-JP}).
 */
public record GeohashHint(String geohash, String country) {

    /** The geohash alphabet: digits and lower-case letters without a, i, l, o. */
    public static final String ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";
    public static final int MAX_PRECISION = 12;

    static final String MALFORMED = "malformed sec-ch-geohash";
    static final String TOO_PRECISE = "sec-ch-geohash too precise";
    static final String UNKNOWN_COUNTRY = "sec-ch-geohash country unknown";

    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    public GeohashHint {
        validate(geohash, country);
    }

    public static GeohashHint parse(String headerValue) {
        if (headerValue == null) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        String v = headerValue.strip();
        int dash = v.indexOf('-');
        if (dash < 0 || dash != v.lastIndexOf('-')) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        String geohash = v.substring(0, dash);
        String country = v.substring(dash + 1);
        validate(geohash, country);
        return new GeohashHint(geohash, country);
    }

    private static void validate(String geohash, String country) {
        if (geohash == null || country == null || geohash.isEmpty()) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        for (int i = 0; i < geohash.length(); i++) {
            if (ALPHABET.indexOf(geohash.charAt(i)) < 0) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
        }
        if (geohash.length() > MAX_PRECISION) {
            throw ProxyFailure.badRequest(TOO_PRECISE);
        }
        if (country.length() != 2 || !Character.isUpperCase(country.charAt(0))
                || !Character.isUpperCase(country.charAt(1)) || country.charAt(0) > 'Z' || country.charAt(1) > 'Z') {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        if (!COUNTRIES.contains(country)) {
            throw ProxyFailure.badRequest(UNKNOWN_COUNTRY);
        }
    }

    /** At most {@code maxPrecision} geohash characters: coarser, never finer. */
    public GeohashHint truncate(int maxPrecision) {
        return geohash.length() <= maxPrecision ? this : new GeohashHint(geohash.substring(0, maxPrecision), country);
    }

    public String headerValue() {
        return geohash + "-" + country;
    }
}
