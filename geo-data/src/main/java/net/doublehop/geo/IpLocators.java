package net.doublehop.geo;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Opens the IP location data set a config names: {@code .mmdb} (MaxMind DB), else CSV; none = the demo table. */
public final class IpLocators {

    private IpLocators() {
    }

    public static IpLocator open(Optional<Path> database) throws IOException {
        if (database.isEmpty()) {
            try (Reader r = new InputStreamReader(CsvIpLocator.class.getResourceAsStream("demo-clients.csv"),
                    StandardCharsets.UTF_8)) {
                return CsvIpLocator.read(r);
            }
        }
        Path p = database.get();
        if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mmdb")) {
            return MmdbIpLocator.open(p);
        }
        try (Reader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            return CsvIpLocator.read(r);
        }
    }
}
