package net.doublehop.geo;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Fuzz targets (Jazzer) for the geolocation loaders Proxy A reads at start (our CSV reader; MaxMind's own reader of
 * {@code .mmdb} files, behind {@link MmdbIpLocator}): a CSV table and a MaxMind DB file may be refused only with
 * {@link IllegalArgumentException} (a config error naming the problem), and lookups in what loaded either answer or, for a database whose search tree or data turn out corrupt, refuse the same way; never
 * another exception, a hang or unbounded memory. Seeds: three small databases written by MaxMind's own writer.
 */
class GeoLoadersFuzzTest {

    private static final List<InetAddress> PROBES = probes("127.0.10.5", "127.0.20.1", "10.200.1.1", "0.0.0.0",
            "255.255.255.255", "2001:db8::1", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

    private static List<InetAddress> probes(String... addresses) {
        try {
            List<InetAddress> out = new java.util.ArrayList<>();
            for (String a : addresses) {
                out.add(InetAddress.getByName(a));
            }
            return out;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void assertLocation(Optional<Location> l) {
        l.ifPresent(loc -> assertThat(loc.country()).matches("[A-Z]{2}"));
    }

    @FuzzTest
    void csv(byte[] input) throws IOException {
        CsvIpLocator locator;
        try {
            locator = CsvIpLocator.read(new StringReader(new String(input, StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertThat(locator.size()).isNotNegative();
        for (InetAddress a : PROBES) {
            assertLocation(locator.locate(a));
        }
    }

    @FuzzTest
    void mmdb(byte[] input) throws IOException {
        MmdbIpLocator locator;
        try {
            locator = MmdbIpLocator.of(input);
        } catch (IllegalArgumentException refused) {
            return;
        }
        for (InetAddress a : PROBES) {
            try {
                assertLocation(locator.locate(a));
            } catch (IllegalArgumentException corrupt) {
                // a corrupt tree or record, found at lookup: refused the documented way
            }
        }
    }
}
