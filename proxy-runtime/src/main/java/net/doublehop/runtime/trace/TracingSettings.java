package net.doublehop.runtime.trace;

import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code tracing} section, the same for both proxies (docs/configuration.md, docs/operations.md "Tracing"):
 * <pre>
 * tracing:
 *   otlp-endpoint: http://collector:4318   # omitted: no tracing at all
 *   sample-ratio: 0.01                     # share of tunnels traced, 0..1
 * </pre>
 *
 * @param otlpEndpoint the OTLP/HTTP (protobuf) traces URL spans are sent to; a URL without a path gets the
 *                     standard {@code /v1/traces}
 * @param sampleRatio  the share of tunnels traced, decided when a request arrives
 */
public record TracingSettings(Optional<URI> otlpEndpoint, double sampleRatio) {

    public static final double DEFAULT_SAMPLE_RATIO = 0.01;

    /** No tracing: what a config without a {@code tracing} section gets. */
    public static final TracingSettings OFF = new TracingSettings(Optional.empty(), DEFAULT_SAMPLE_RATIO);

    public TracingSettings {
        if (!(sampleRatio >= 0.0 && sampleRatio <= 1.0)) {
            throw new IllegalArgumentException("tracing.sample-ratio must be a number from 0 to 1, e.g. 0.01 for 1 %");
        }
    }

    public boolean enabled() {
        return otlpEndpoint.isPresent();
    }

    /** Reads {@code tracing} from the config root; absent means {@link #OFF}. */
    public static TracingSettings read(JsonNode root) {
        JsonNode node = root.get("tracing");
        if (node == null || node.isNull()) {
            return OFF;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("tracing must be a section (otlp-endpoint, sample-ratio)");
        }
        allowOnly(node, "tracing.", Set.of("otlp-endpoint", "sample-ratio"));
        Optional<URI> endpoint = text(node, "otlp-endpoint").map(TracingSettings::endpoint);
        double ratio = DEFAULT_SAMPLE_RATIO;
        JsonNode r = node.get("sample-ratio");
        if (r != null && !r.isNull()) {
            if (!r.isNumber()) {
                throw new IllegalArgumentException("tracing.sample-ratio must be a number from 0 to 1, e.g. 0.01 for 1 %");
            }
            ratio = r.doubleValue();
        }
        if (endpoint.isEmpty() && r != null && !r.isNull()) {
            throw new IllegalArgumentException("tracing.sample-ratio needs tracing.otlp-endpoint");
        }
        return new TracingSettings(endpoint, ratio);
    }

    /** http(s)://host[:port][/path]; no path means the OTLP/HTTP default path for traces. */
    private static URI endpoint(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("tracing.otlp-endpoint: not a URL (" + e.getReason()
                    + "); e.g. http://collector:4318");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("tracing.otlp-endpoint: an http:// or https:// URL with a host, "
                    + "e.g. http://collector:4318 (OTLP over HTTP, protobuf)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("tracing.otlp-endpoint: no user info, query or fragment");
        }
        String path = uri.getRawPath();
        return path == null || path.isEmpty() || "/".equals(path) ? uri.resolve("/v1/traces") : uri;
    }
}
