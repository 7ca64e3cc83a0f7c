package net.doublehop.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named hex values copied from an RFC into src/test/resources: "name = hex" lines, a line of hex alone
 * continues the value above it, '#' starts a comment line. Each file names its RFC section.
 */
public final class HexVectors {

    private final String resource;
    private final Map<String, String> values;

    private HexVectors(String resource, Map<String, String> values) {
        this.resource = resource;
        this.values = values;
    }

    /** Loads a resource relative to {@code anchor}'s package. */
    public static HexVectors load(Class<?> anchor, String name) {
        String text;
        try (InputStream in = anchor.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + name);
            }
            text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        String last = null;
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq > 0) {
                last = l.substring(0, eq).strip();
                values.put(last, l.substring(eq + 1).strip());
            } else if (last != null && l.matches("[0-9a-f]+")) {
                values.put(last, values.get(last) + l);
            } else {
                throw new IllegalArgumentException(name + ": unexpected line " + line);
            }
        }
        return new HexVectors(name, values);
    }

    public byte[] bytes(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(resource + " has no " + name);
        }
        return HexFormat.of().parseHex(v);
    }
}
