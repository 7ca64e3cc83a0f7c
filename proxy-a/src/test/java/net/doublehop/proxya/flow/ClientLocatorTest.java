package net.doublehop.proxya.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Optional;
import net.doublehop.geo.IpLocators;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.proxya.config.ProxyAConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Location, fallback, and a user's request for less precision (never elsewhere, never finer). */
class ClientLocatorTest {

    @ParameterizedTest(name = "{0} asking [{1}] -> {2}")
    @CsvSource(nullValues = "-", value = {
        "127.0.0.10, -,            xn76u-JP",  // located, precision 5
        "127.0.0.10, xn7-JP,       xn7-JP",    // coarser prefix of its own cell: honoured
        "127.0.0.10, x-JP,         x-JP",      // the coarsest
        "127.0.0.10, xn76urx-JP,   xn76u-JP",  // finer: ignored
        "127.0.0.10, gcpvj-GB,     xn76u-JP",  // elsewhere: ignored
        "127.0.0.10, xn7-GB,       xn76u-JP",  // other country: ignored
        "127.0.0.30, -,            gcpv-GB",   // country-only row: the fallback
        "192.0.2.1,  xn7-JP,       gcpv-GB",   // unknown address: the fallback, whatever was asked
    })
    void locate(String client, String asked, String expected) throws Exception {
        ClientLocator l = new ClientLocator(IpLocators.open(Optional.empty()),
                new ProxyAConfig.Geolocation(Optional.empty(), 5, Optional.of("GB"), Optional.of("gcpv")));
        assertThat(l.locate(InetAddress.getByName(client), Optional.ofNullable(asked).map(GeohashHint::parse)).map(GeohashHint::headerValue)).contains(expected);
    }

    /** A corrupt database found at lookup (what MmdbIpLocator throws): no location, so the fallback; never a failure. */
    @Test
    void aFailedLookupIsNoLocation() throws Exception {
        net.doublehop.geo.IpLocator corrupt = address -> {
            throw new IllegalArgumentException("MaxMind DB lookup failed: corrupt search tree");
        };
        ClientLocator withFallback = new ClientLocator(corrupt,
                new ProxyAConfig.Geolocation(Optional.empty(), 5, Optional.of("GB"), Optional.of("gcpv")));
        InetAddress client = InetAddress.getByName("127.0.0.10");
        assertThat(withFallback.locate(client, Optional.of(GeohashHint.parse("xn7-JP"))).map(GeohashHint::headerValue))
                .contains("gcpv-GB");
        assertThat(withFallback.lookupFailures()).isEqualTo(1);
        ClientLocator without = new ClientLocator(corrupt,
                new ProxyAConfig.Geolocation(Optional.empty(), 5, Optional.empty(), Optional.empty()));
        assertThat(without.locate(client)).isEmpty();
    }
}
