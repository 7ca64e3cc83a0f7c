package net.doublehop.geo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * IP → location from a CSV of {@code ip_prefix,alpha2code,latitude,longitude} rows (IPv4 and IPv6; latitude
 * and longitude may be empty for country-only rows; {@code #} comments allowed). Longest-prefix match:
 * one hash lookup per prefix length present, most specific first.
 */
public final class CsvIpLocator implements IpLocator {

    /** Per address length (4 or 16 bytes): prefix length (descending) → network value → location. */
    private final Map<Integer, TreeMap<Integer, Map<BigInteger, Location>>> byFamily = new HashMap<>();
    private final int size;

    private CsvIpLocator(int size) {
        this.size = size;
    }

    public static CsvIpLocator read(Reader csv) throws IOException {
        Map<Integer, TreeMap<Integer, Map<BigInteger, Location>>> table = new HashMap<>();
        int rows = 0;
        int lineNo = 0;
        BufferedReader in = new BufferedReader(csv);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split(",", -1);
            if (f.length < 2) {
                throw new IllegalArgumentException("line " + lineNo + ": expected ip_prefix,alpha2code,latitude,longitude");
            }
            Cidr prefix;
            try {
                prefix = Cidr.parse(f[0]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + lineNo + ": " + e.getMessage());
            }
            String country = f[1].strip();
            if (!country.matches("[A-Z]{2}")) {
                throw new IllegalArgumentException("line " + lineNo + ": country must be an ISO 3166-1 alpha-2 code");
            }
            Optional<LatLon> position = Optional.empty();
            if (f.length >= 4 && !f[2].isBlank() && !f[3].isBlank()) {
                try {
                    position = Optional.of(new LatLon(Double.parseDouble(f[2].strip()), Double.parseDouble(f[3].strip())));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("line " + lineNo + ": bad latitude/longitude");
                }
            }
            byte[] net = prefix.network().getAddress();
            table.computeIfAbsent(net.length, k -> new TreeMap<>(java.util.Comparator.reverseOrder()))
                    .computeIfAbsent(prefix.prefixLength(), k -> new HashMap<>())
                    .put(Cidr.masked(net, prefix.prefixLength()), new Location(country, position));
            rows++;
        }
        CsvIpLocator locator = new CsvIpLocator(rows);
        locator.byFamily.putAll(table);
        return locator;
    }

    @Override
    public Optional<Location> locate(InetAddress address) {
        byte[] raw = Cidr.unmapped(address).getAddress();
        TreeMap<Integer, Map<BigInteger, Location>> lengths = byFamily.get(raw.length);
        if (lengths == null) {
            return Optional.empty();
        }
        for (Map.Entry<Integer, Map<BigInteger, Location>> e : lengths.entrySet()) {
            Location hit = e.getValue().get(Cidr.masked(raw, e.getKey()));
            if (hit != null) {
                return Optional.of(hit);
            }
        }
        return Optional.empty();
    }

    public int size() {
        return size;
    }
}
