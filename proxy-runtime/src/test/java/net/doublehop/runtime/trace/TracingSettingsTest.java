package net.doublehop.runtime.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import net.doublehop.runtime.config.YamlNodes;
import org.junit.jupiter.api.Test;

class TracingSettingsTest {

    private static TracingSettings read(String yaml) {
        return TracingSettings.read(YamlNodes.parseRoot(yaml));
    }

    @Test
    void absentMeansOff() {
        assertThat(read("listen: 127.0.0.1:1")).isEqualTo(TracingSettings.OFF);
        assertThat(TracingSettings.OFF.enabled()).isFalse();
    }

    @Test
    void anEndpointWithoutAPathGetsTheTracesPathAndTheDefaultRatio() {
        TracingSettings s = read("tracing: {otlp-endpoint: 'http://collector:4318'}");
        assertThat(s.otlpEndpoint()).contains(URI.create("http://collector:4318/v1/traces"));
        assertThat(s.sampleRatio()).isEqualTo(0.01);
        assertThat(s.enabled()).isTrue();
    }

    @Test
    void aFullUrlAndARatioAreKept() {
        TracingSettings s = read("tracing: {otlp-endpoint: 'https://otel.example:443/custom/traces', sample-ratio: 0.25}");
        assertThat(s).isEqualTo(new TracingSettings(Optional.of(URI.create("https://otel.example:443/custom/traces")),
                0.25));
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> read("tracing: {otlp-endpoint: 'grpc://collector:4317'}"))
                .hasMessageContaining("tracing.otlp-endpoint");
        assertThatThrownBy(() -> read("tracing: {otlp-endpoint: 'http://collector:4318', sample-ratio: 1.5}"))
                .hasMessageContaining("tracing.sample-ratio");
        assertThatThrownBy(() -> read("tracing: {otlp-endpoint: 'http://collector:4318', sample-ratio: 'all'}"))
                .hasMessageContaining("tracing.sample-ratio");
        assertThatThrownBy(() -> read("tracing: {sample-ratio: 0.5}"))
                .hasMessageContaining("needs tracing.otlp-endpoint");
        assertThatThrownBy(() -> read("tracing: {otlp-endpoint: 'http://c:4318', headers: x}"))
                .hasMessageContaining("tracing.headers");
    }
}
