package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the Node clients in {@code src/test/resources/node} (Node's built-in {@code http2}), which print one
 * JSON object per line: checks it exited 0 within a minute and returns the objects. Its stderr goes to the build log.
 */
final class NodeScript {

    private NodeScript() {
    }

    /** The JSON lines {@code node <script> <args...>} printed. */
    static List<JsonNode> run(String script, String... args) throws IOException, InterruptedException {
        return run(script, Map.of(), args);
    }

    /** As {@link #run(String, String...)}, with extra environment variables. */
    static List<JsonNode> run(String script, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("node");
        cmd.add(Path.of("src/test/resources/node", script).toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> results = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                results.add(json.readTree(line));
            }
        }
        return results;
    }

    /** The one JSON line the script printed. */
    static JsonNode single(String script, String... args) throws IOException, InterruptedException {
        List<JsonNode> lines = run(script, args);
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }
}
