package net.doublehop.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.doublehop.geo.IpLocator;
import net.doublehop.geo.IpLocators;
import net.doublehop.geo.Location;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Proxy A's client location per tunnel: {@code IpLocator.locate} on a {@code .mmdb} file, as {@code ClientLocator}
 * calls it for every CONNECT and CONNECT-UDP (the locator {@code IpLocators.open} picks for a {@code .mmdb} path).
 *
 * <p>The database is written at set-up by MaxMind's own Perl writer (write-city-mmdb.pl beside this class; the
 * Debian package scripts/install-test-deps.sh installs): {@code networks} IPv4 /24s pointing at {@code cities}
 * City-shaped records (names in eight languages, subdivisions, postal code), in an IPv6 tree with 28-bit records
 * as GeoLite2 City ships. Lookups cycle through 1024 precomputed addresses, one in 16 in no network.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MmdbLookupBenchmark {

    static final int ADDRESSES = 1024; // a power of two: the index is a mask

    @Param("20000")
    int networks;

    @Param("500")
    int cities;

    Path dir;
    IpLocator locator;
    InetAddress[] addresses;
    int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("mmdb-bench");
        Path script = dir.resolve("write-city-mmdb.pl");
        try (InputStream in = MmdbLookupBenchmark.class.getResourceAsStream("write-city-mmdb.pl")) {
            Files.write(script, in.readAllBytes());
        }
        Path db = dir.resolve("city.mmdb");
        Process p = new ProcessBuilder("perl", script.toString(), db.toString(), Integer.toString(networks),
                Integer.toString(cities)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("write-city-mmdb.pl failed (libmaxmind-db-writer-perl installed?): " + out);
        }
        locator = IpLocators.open(Optional.of(db));
        Random random = new Random(18);
        addresses = new InetAddress[ADDRESSES];
        for (int i = 0; i < ADDRESSES; i++) {
            int n = random.nextInt(networks) * 8 + (i % 16 == 15 ? 1 : 0); // the /24 after a network is in none
            byte[] a = {(byte) (1 + n / 65536), (byte) (n / 256), (byte) n, (byte) random.nextInt(256)};
            addresses[i] = InetAddress.getByAddress(a);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public Optional<Location> locate() {
        InetAddress a = addresses[next++ & (ADDRESSES - 1)];
        return locator.locate(a);
    }
}
