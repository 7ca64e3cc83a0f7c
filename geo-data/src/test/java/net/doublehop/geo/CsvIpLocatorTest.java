package net.doublehop.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvIpLocatorTest {

    static final String TABLE = """
            # ip_prefix,alpha2code,latitude,longitude
            127.0.0.0/8,GB,,
            127.0.10.0/24,JP,35.6812,139.7671
            127.0.10.128/25,JP,34.6937,135.5023
            127.0.20.0/24,GB,51.5072,-0.1276
            2001:db8::/32,DE,52.52,13.405
            2001:db8:1::/48,FR,48.8566,2.3522
            """;

    static CsvIpLocator locator() throws Exception {
        return CsvIpLocator.read(new StringReader(TABLE));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(nullValues = "-", value = {
        "127.0.10.5,   JP, xn76u",   // Tokyo /24
        "127.0.10.200, JP, xn0m7",   // the more specific Osaka /25 wins
        "127.0.20.1,   GB, gcpvj",
        "127.0.30.1,   GB, -",       // only the country-only /8 matches
        "2001:db8::1,  DE, u33dc",   // Berlin
        "2001:db8:1::1, FR, u09tv",
        "::ffff:127.0.10.5, JP, xn76u", // mapped IPv4 is looked up as IPv4
    })
    void longestPrefixWins(String address, String country, String geohash5) throws Exception {
        Location l = locator().locate(InetAddress.getByName(address)).orElseThrow();
        assertThat(l.country()).isEqualTo(country);
        assertThat(l.geohash(5).orElse(null)).isEqualTo(geohash5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "2606:4700::1111", "::1"})
    void unknownAddressesHaveNoLocation(String address) throws Exception {
        assertThat(locator().locate(InetAddress.getByName(address))).isEmpty();
    }

    @Test
    void countsRows() throws Exception {
        assertThat(locator().size()).isEqualTo(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-prefix,JP,1,2", "127.0.0.0/8", "127.0.0.0/8,jp,,", "127.0.0.0/8,JP,north,east",
        "127.0.0.0/8,JP,91,0"})
    void badRowsNameTheLine(String row) {
        assertThatThrownBy(() -> CsvIpLocator.read(new StringReader("# header\n" + row + "\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("line 2:");
    }
}
