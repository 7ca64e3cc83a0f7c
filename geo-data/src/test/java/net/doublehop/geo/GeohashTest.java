package net.doublehop.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GeohashTest {

    @Test
    void theClassicExampleFromGeohashOrg() {
        assertThat(Geohash.encode(57.64911, 10.40744, 11)).isEqualTo("u4pruydqqvj");
        LatLon c = Geohash.centre("u4pruydqqvj");
        assertThat(c.lat()).isCloseTo(57.64911, within(0.0001));
        assertThat(c.lon()).isCloseTo(10.40744, within(0.0001));
    }

    /** The dev pools' cells: xn76 covers central Tokyo, gcpv central London. */
    @ParameterizedTest
    @CsvSource({"35.6812, 139.7671, xn76", "51.5072, -0.1276, gcpv", "-33.8688, 151.2093, r3gx"})
    void citiesFallInTheirCells(double lat, double lon, String prefix) {
        String gh = Geohash.encode(lat, lon, 9);
        assertThat(gh).startsWith(prefix);
        LatLon c = Geohash.centre(gh);
        assertThat(c.lat()).isCloseTo(lat, within(0.001));
        assertThat(c.lon()).isCloseTo(lon, within(0.001));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "xn76cxn76cxn7", "XN76", "xn7o", "xn 7"})
    void invalid(String s) {
        assertThat(Geohash.isValid(s)).isFalse();
        assertThatThrownBy(() -> Geohash.centre(s)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"xn76c, xn76, 4", "xn76c, gcpv, 0", "gcpvj, gcpvj, 5", "u, u4pru, 1"})
    void commonPrefix(String a, String b, int expected) {
        assertThat(Geohash.commonPrefixLength(a, b)).isEqualTo(expected);
    }

    @Test
    void tokyoToLondonIsAbout9560Km() {
        assertThat(Geohash.distanceKm(Geohash.encode(35.6812, 139.7671, 9), Geohash.encode(51.5072, -0.1276, 9))).isCloseTo(9_560, within(30.0));
        assertThat(Geohash.distanceKm("xn76", "xn76")).isZero();
    }
}
