package net.doublehop.runtime.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The files a configuration names, found by walking its YAML tree: every string value that, resolved as the loaders
 * resolve paths (absolute, or relative to the config file's directory), is a regular file. Walking the tree instead
 * of listing keys means a key added later that names a file is watched too. A value that only happens to name a
 * file (a pool name equal to a file's name) is merely watched in vain.
 */
final class ConfigFiles {

    private ConfigFiles() {
    }

    /** Each file named, with the dotted key that names it ({@code users.file}, {@code issuer.keys[0].file}). */
    static Map<Path, String> named(JsonNode root, Path baseDir) {
        Map<Path, String> out = new LinkedHashMap<>();
        walk(root, "", baseDir, out);
        return out;
    }

    private static void walk(JsonNode node, String key, Path baseDir, Map<Path, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                walk(e.getValue(), key.isEmpty() ? e.getKey() : key + "." + e.getKey(), baseDir, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), key + "[" + i + "]", baseDir, out);
            }
        } else if (node.isTextual()) {
            Path p = resolve(node.asText().strip(), baseDir);
            if (p != null && Files.isRegularFile(p)) {
                out.putIfAbsent(p, key);
            }
        }
    }

    private static Path resolve(String value, Path baseDir) {
        if (value.isEmpty() || value.length() > 4096 || value.indexOf('\0') >= 0) {
            return null;
        }
        try {
            Path path = Path.of(value);
            return path.isAbsolute() ? path : baseDir.resolve(path).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }
}
