package net.doublehop.geo;

import ch.hsr.geohash.GeoHash;
import ch.hsr.geohash.WGS84Point;

/** Geohash helpers over ch.hsr geohash: validation, encoding, cell centres, prefix and distance comparisons. */
public final class Geohash {

    public static final String ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";
    public static final int MAX_PRECISION = 12;

    /** Mean Earth radius (IUGG), km. */
    static final double EARTH_RADIUS_KM = 6371.0088;

    private Geohash() {
    }

    public static boolean isValid(String geohash) {
        if (geohash == null || geohash.isEmpty() || geohash.length() > MAX_PRECISION) {
            return false;
        }
        for (int i = 0; i < geohash.length(); i++) {
            if (ALPHABET.indexOf(geohash.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    public static String encode(double lat, double lon, int precision) {
        if (precision < 1 || precision > MAX_PRECISION) {
            throw new IllegalArgumentException("precision must be 1..12");
        }
        LatLon checked = new LatLon(lat, lon);
        return GeoHash.withCharacterPrecision(checked.lat(), checked.lon(), precision).toBase32();
    }

    /** The centre of the geohash's cell. */
    public static LatLon centre(String geohash) {
        require(geohash);
        WGS84Point p = GeoHash.fromGeohashString(geohash).getBoundingBoxCenter();
        return new LatLon(p.getLatitude(), p.getLongitude());
    }

    public static int commonPrefixLength(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }

    /** Great-circle (haversine) distance between the two cells' centres, km. */
    public static double distanceKm(String a, String b) {
        return distanceKm(centre(a), centre(b));
    }

    public static double distanceKm(LatLon a, LatLon b) {
        double dLat = Math.toRadians(b.lat() - a.lat());
        double dLon = Math.toRadians(b.lon() - a.lon());
        double h = Math.sin(dLat / 2) * Math.sin(dLat / 2)
                + Math.cos(Math.toRadians(a.lat())) * Math.cos(Math.toRadians(b.lat())) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    private static void require(String geohash) {
        if (!isValid(geohash)) {
            throw new IllegalArgumentException("not a geohash");
        }
    }
}
