package net.doublehop.protocol.privacypass;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the published test vectors in src/test/resources (each file names its RFC section). */
final class Vectors {

    /** One test vector: its title and its named values, hex continued over lines as the RFCs print them. */
    record Vector(String title, Map<String, String> values) {
        byte[] bytes(String name) {
            String v = values.get(name);
            if (v == null) {
                throw new IllegalArgumentException(title + " has no " + name);
            }
            return HexFormat.of().parseHex(v);
        }

        String text(String name) {
            return values.get(name);
        }

        @Override
        public String toString() {
            return title; // test names
        }
    }

    private Vectors() {
    }

    static String resource(String name) {
        try (InputStream in = Vectors.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Vectors in "name = value" or "name: value" lines; a line holding only hex continues the previous
     * value; a line starting with {@code titlePrefix} starts a new vector; '#' lines are comments.
     */
    static List<Vector> parse(String text, String titlePrefix, String separator) {
        List<Vector> out = new ArrayList<>();
        String title = null;
        Map<String, String> values = null;
        String last = null;
        for (String line : text.split("\n")) {
            if (line.startsWith(titlePrefix)) {
                title = line.substring(titlePrefix.length()).strip();
                values = new LinkedHashMap<>();
                out.add(new Vector(title, values));
                last = null;
            } else if (line.startsWith("#") || line.startsWith("//") || line.isBlank()) {
                continue;
            } else if (values != null && line.matches("[0-9a-f]+") && last != null) {
                values.put(last, values.get(last) + line);
            } else if (values != null && line.contains(separator.strip())) {
                int i = line.indexOf(separator.strip());
                last = line.substring(0, i).strip();
                values.put(last, line.substring(i + separator.strip().length()).strip());
            } else {
                throw new IllegalArgumentException("unexpected vector line: " + line);
            }
        }
        return out;
    }

    static List<Vector> rfc9474() {
        return parse(resource("rfc9474-appendix-a.txt"), "## ", "=");
    }

    static List<Vector> rfc9578() {
        return parse(resource("rfc9578-appendix-a2.txt"), "// Test vector", ":");
    }
}
