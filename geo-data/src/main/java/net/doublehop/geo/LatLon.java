package net.doublehop.geo;

/** A WGS 84 position in degrees. */
public record LatLon(double lat, double lon) {
    public LatLon {
        if (lat < -90 || lat > 90 || lon < -180 || lon > 180 || Double.isNaN(lat) || Double.isNaN(lon)) {
            throw new IllegalArgumentException("latitude/longitude out of range");
        }
    }
}
