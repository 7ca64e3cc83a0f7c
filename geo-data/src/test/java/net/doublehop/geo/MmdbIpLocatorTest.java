package net.doublehop.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MmdbIpLocator (MaxMind's own reader underneath) against files written by MaxMind's own Perl writer (installed by
 * scripts/install-test-deps.sh), for every record size, cross-checked with libmaxminddb's mmdblookup.
 */
class MmdbIpLocatorTest {

    @TempDir
    static Path dir;

    static Path database(int recordSize) throws Exception {
        Path db = dir.resolve("test-" + recordSize + ".mmdb");
        if (Files.exists(db)) {
            return db;
        }
        Path script = dir.resolve("write-test-mmdb.pl");
        try (InputStream in = MmdbIpLocatorTest.class.getResourceAsStream("write-test-mmdb.pl")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder("perl", script.toString(), db.toString(), Integer.toString(recordSize))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return db;
    }

    @ParameterizedTest(name = "record size {0}: {1} -> {2} {3}")
    @CsvSource(nullValues = "-", value = {
        "24, 127.0.10.5,   JP, xn76u", "28, 127.0.10.5,   JP, xn76u", "32, 127.0.10.5,   JP, xn76u",
        "24, 127.0.10.200, JP, xn0m7", "28, 127.0.10.200, JP, xn0m7", "32, 127.0.10.200, JP, xn0m7",
        "28, 127.0.20.1,   GB, gcpvj",
        "28, 127.0.30.9,   US, -",      // registered_country only, no position
        "28, 2001:db8::1,  DE, u33dc",
        "28, ::ffff:127.0.10.5, JP, xn76u",
        "32, 10.200.1.1,   JP, xn76u",  // one of 256 networks sharing a record through pointers
    })
    void locates(int recordSize, String address, String country, String geohash) throws Exception {
        MmdbIpLocator locator = MmdbIpLocator.open(database(recordSize));
        assertThat(locator.databaseType()).isEqualTo("Doublehop-Test-City");
        Location l = locator.locate(InetAddress.getByName(address)).orElseThrow();
        assertThat(l.country()).isEqualTo(country);
        assertThat(l.geohash(5).orElse(null)).isEqualTo(geohash);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "127.0.11.1", "2606:4700::1111", "::1"})
    void unknownAddresses(String address) throws Exception {
        assertThat(MmdbIpLocator.open(database(28)).locate(InetAddress.getByName(address))).isEmpty();
    }

    /** libmaxminddb's mmdblookup, an independent reader, sees the same latitude we decode. */
    @ParameterizedTest
    @ValueSource(ints = {24, 28, 32})
    void agreesWithMmdblookup(int recordSize) throws Exception {
        Path db = database(recordSize);
        Process p = new ProcessBuilder("mmdblookup", "--file", db.toString(), "--ip", "127.0.20.1", "location",
                "latitude").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        double theirs = Double.parseDouble(out.split("\\s+")[0]);
        double ours = MmdbIpLocator.open(db).locate(InetAddress.getByName("127.0.20.1")).orElseThrow()
                .position().orElseThrow().lat();
        assertThat(ours).isCloseTo(theirs, within(1e-9)).isCloseTo(51.5072, within(1e-9));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not a maxmind database at all"})
    void rejectsFilesThatAreNotMaxMindDatabases(String content) throws Exception {
        Path f = dir.resolve("bad-" + content.length() + ".mmdb");
        Files.writeString(f, content);
        assertThatThrownBy(() -> MmdbIpLocator.open(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a MaxMind DB file");
    }

    @org.junit.jupiter.api.Test
    void theFactoryPicksTheReaderByExtension() throws Exception {
        assertThat(IpLocators.open(java.util.Optional.of(database(28)))).isInstanceOf(MmdbIpLocator.class);
        Path csv = dir.resolve("clients.csv");
        Files.writeString(csv, "127.0.10.0/24,JP,35.6812,139.7671\n");
        IpLocator fromCsv = IpLocators.open(java.util.Optional.of(csv));
        assertThat(fromCsv).isInstanceOf(CsvIpLocator.class);
        assertThat(fromCsv.locate(InetAddress.getByName("127.0.10.1")).orElseThrow().country()).isEqualTo("JP");
        IpLocator demo = IpLocators.open(java.util.Optional.empty());
        assertThat(demo.locate(InetAddress.getByName("127.0.0.20")).orElseThrow().country()).isEqualTo("GB");
    }
}
