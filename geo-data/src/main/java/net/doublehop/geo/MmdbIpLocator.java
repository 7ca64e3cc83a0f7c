package net.doublehop.geo;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * IP → location from a MaxMind DB file ({@code .mmdb}: MaxMind GeoIP2/GeoLite2 City, DB-IP City Lite), read
 * with our own decoder of the MaxMind DB format 2.0 (search tree of 24/28/32-bit records, then the data
 * section). The file is memory-mapped; lookups allocate only the record they decode. Uses
 * {@code country.iso_code} (else {@code registered_country.iso_code}) and {@code location.latitude/longitude}.
 */
public final class MmdbIpLocator implements IpLocator {

    private static final byte[] METADATA_MARKER = "\u00ab\u00cd\u00efMaxMind.com".getBytes(StandardCharsets.ISO_8859_1);
    private static final int DATA_SEPARATOR = 16;

    private final ByteBuffer file;
    private final long nodeCount;
    private final int recordSize;
    private final int ipVersion;
    private final int dataStart;
    private final long ipv4Start;
    private final String databaseType;

    private MmdbIpLocator(ByteBuffer file) {
        this.file = file;
        int meta = metadataStart(file);
        Object decoded = new Decoder(file, meta).decode(meta).value();
        if (!(decoded instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("MaxMind DB metadata is not a map");
        }
        this.nodeCount = number(m.get("node_count"), "node_count");
        this.recordSize = (int) number(m.get("record_size"), "record_size");
        this.ipVersion = (int) number(m.get("ip_version"), "ip_version");
        this.databaseType = String.valueOf(m.get("database_type"));
        if (number(m.get("binary_format_major_version"), "binary_format_major_version") != 2) {
            throw new IllegalArgumentException("unsupported MaxMind DB format version");
        }
        if (recordSize != 24 && recordSize != 28 && recordSize != 32) {
            throw new IllegalArgumentException("unsupported MaxMind DB record size " + recordSize);
        }
        long treeSize = recordSize * 2L / 8 * nodeCount;
        if (treeSize + DATA_SEPARATOR > meta) {
            throw new IllegalArgumentException("MaxMind DB search tree runs past the data section");
        }
        this.dataStart = (int) treeSize + DATA_SEPARATOR;
        long node = 0;
        if (ipVersion == 6) {
            // IPv4 addresses live under ::/96 in an IPv6 tree: follow 96 zero bits once, up front.
            for (int i = 0; i < 96 && node < nodeCount; i++) {
                node = record(node, 0);
            }
        }
        this.ipv4Start = node;
    }

    public static MmdbIpLocator open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("MaxMind DB files over 2 GiB are not supported");
            }
            return new MmdbIpLocator(ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        }
    }

    public String databaseType() {
        return databaseType;
    }

    @Override
    public Optional<Location> locate(InetAddress address) {
        Object record = lookup(address);
        if (!(record instanceof Map<?, ?> m)) {
            return Optional.empty();
        }
        String country = isoCode(m.get("country")).or(() -> isoCode(m.get("registered_country"))).orElse(null);
        if (country == null || !country.matches("[A-Z]{2}")) {
            return Optional.empty();
        }
        Optional<LatLon> position = Optional.empty();
        if (m.get("location") instanceof Map<?, ?> loc && loc.get("latitude") instanceof Number lat
                && loc.get("longitude") instanceof Number lon) {
            try {
                position = Optional.of(new LatLon(lat.doubleValue(), lon.doubleValue()));
            } catch (IllegalArgumentException e) {
                position = Optional.empty();
            }
        }
        return Optional.of(new Location(country, position));
    }

    /** The decoded data record for the address, or null when the database has none. */
    Object lookup(InetAddress address) {
        byte[] raw = Cidr.unmapped(address).getAddress();
        if (raw.length == 16 && ipVersion == 4) {
            return null;
        }
        long node = raw.length == 4 && ipVersion == 6 ? ipv4Start : 0;
        int bits = raw.length * 8;
        for (int i = 0; i < bits && node < nodeCount; i++) {
            int bit = (raw[i >> 3] >> (7 - (i & 7))) & 1;
            node = record(node, bit);
        }
        if (node == nodeCount) {
            return null; // empty
        }
        if (node < nodeCount) {
            throw new IllegalArgumentException("MaxMind DB search tree is corrupt");
        }
        long offset = node - nodeCount - DATA_SEPARATOR;
        return new Decoder(file, dataStart).decode(dataStart + (int) offset).value();
    }

    private long record(long node, int side) {
        int base = (int) (node * recordSize * 2 / 8);
        switch (recordSize) {
            case 24 -> {
                int p = base + side * 3;
                return u(p) << 16 | u(p + 1) << 8 | u(p + 2);
            }
            case 28 -> {
                int middle = (int) u(base + 3);
                if (side == 0) {
                    return (long) (middle & 0xf0) << 20 | u(base) << 16 | u(base + 1) << 8 | u(base + 2);
                }
                return (long) (middle & 0x0f) << 24 | u(base + 4) << 16 | u(base + 5) << 8 | u(base + 6);
            }
            default -> {
                int p = base + side * 4;
                return u(p) << 24 | u(p + 1) << 16 | u(p + 2) << 8 | u(p + 3);
            }
        }
    }

    private long u(int position) {
        return file.get(position) & 0xffL;
    }

    private static Optional<String> isoCode(Object o) {
        return o instanceof Map<?, ?> m && m.get("iso_code") instanceof String s ? Optional.of(s) : Optional.empty();
    }

    private static long number(Object o, String key) {
        if (o instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("MaxMind DB metadata lacks " + key);
    }

    private static int metadataStart(ByteBuffer file) {
        int limit = file.limit();
        int searchFrom = Math.max(0, limit - 128 * 1024); // the metadata sits in the last 128 KiB
        for (int i = limit - METADATA_MARKER.length; i >= searchFrom; i--) {
            boolean match = true;
            for (int j = 0; j < METADATA_MARKER.length && match; j++) {
                match = file.get(i + j) == METADATA_MARKER[j];
            }
            if (match) {
                return i + METADATA_MARKER.length;
            }
        }
        throw new IllegalArgumentException("not a MaxMind DB file (no metadata marker)");
    }

    /** The MaxMind DB data-section decoder: control byte, type, size, pointers relative to the section base. */
    private static final class Decoder {
        private final ByteBuffer buf;
        private final int base;

        Decoder(ByteBuffer buf, int base) {
            this.buf = buf;
            this.base = base;
        }

        record Result(Object value, int next) { }

        Result decode(int offset) {
            int ctrl = buf.get(offset++) & 0xff;
            int type = ctrl >>> 5;
            if (type == 1) {
                int ss = (ctrl >>> 3) & 0x3;
                int vvv = ctrl & 0x7;
                long pointer = switch (ss) {
                    case 0 -> ((long) vvv << 8 | ub(offset));
                    case 1 -> ((long) vvv << 16 | ub(offset) << 8 | ub(offset + 1)) + 2048;
                    case 2 -> ((long) vvv << 24 | ub(offset) << 16 | ub(offset + 1) << 8 | ub(offset + 2)) + 526336;
                    default -> ub(offset) << 24 | ub(offset + 1) << 16 | ub(offset + 2) << 8 | ub(offset + 3);
                };
                Object target = decode(base + (int) pointer).value();
                return new Result(target, offset + ss + 1);
            }
            if (type == 0) {
                type = 7 + (buf.get(offset++) & 0xff);
            }
            int size = ctrl & 0x1f;
            if (size == 29) {
                size = 29 + ub(offset);
                offset += 1;
            } else if (size == 30) {
                size = 285 + (ub(offset) << 8 | ub(offset + 1));
                offset += 2;
            } else if (size == 31) {
                size = 65821 + (ub(offset) << 16 | ub(offset + 1) << 8 | ub(offset + 2));
                offset += 3;
            }
            return switch (type) {
                case 2 -> new Result(string(offset, size), offset + size);
                case 3 -> new Result(Double.longBitsToDouble(unsigned(offset, 8).longValue()), offset + 8);
                case 4 -> {
                    byte[] b = new byte[size];
                    buf.get(offset, b);
                    yield new Result(b, offset + size);
                }
                case 5, 6, 9 -> new Result(unsigned(offset, size).longValue(), offset + size);
                case 10 -> new Result(unsigned(offset, size), offset + size);
                case 8 -> new Result((int) unsigned(offset, size).longValue(), offset + size);
                case 7 -> {
                    Map<String, Object> map = new LinkedHashMap<>();
                    int at = offset;
                    for (int i = 0; i < size; i++) {
                        Result k = decode(at);
                        Result v = decode(k.next());
                        map.put(String.valueOf(k.value()), v.value());
                        at = v.next();
                    }
                    yield new Result(map, at);
                }
                case 11 -> {
                    List<Object> list = new ArrayList<>();
                    int at = offset;
                    for (int i = 0; i < size; i++) {
                        Result v = decode(at);
                        list.add(v.value());
                        at = v.next();
                    }
                    yield new Result(list, at);
                }
                case 14 -> new Result(size != 0, offset);
                case 15 -> new Result(Float.intBitsToFloat((int) unsigned(offset, 4).longValue()), offset + 4);
                default -> throw new IllegalArgumentException("MaxMind DB data type " + type + " not supported");
            };
        }

        private int ub(int position) {
            return buf.get(position) & 0xff;
        }

        private BigInteger unsigned(int offset, int size) {
            byte[] b = new byte[size];
            buf.get(offset, b);
            return new BigInteger(1, b);
        }

        private String string(int offset, int size) {
            byte[] b = new byte[size];
            buf.get(offset, b);
            return new String(b, StandardCharsets.UTF_8);
        }
    }
}
