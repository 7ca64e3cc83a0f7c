package net.doublehop.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import net.doublehop.runtime.config.YamlNodes;
import org.junit.jupiter.api.Test;

class StoreSettingsTest {

    private static StoreSettings read(String yaml) {
        return StoreSettings.read(YamlNodes.parseRoot("listen: x\n" + yaml), Path::of);
    }

    @Test
    void absentMeansInMemory() {
        assertThat(read("")).isEqualTo(StoreSettings.IN_MEMORY);
        assertThat(read("").shared()).isFalse();
    }

    @Test
    void redisWithDefaults() {
        StoreSettings s = read("store: {redis: redis://10.0.0.5:6379}\n");
        assertThat(s.shared()).isTrue();
        assertThat(s.redis()).hasValue("redis://10.0.0.5:6379");
        assertThat(s.keyPrefix()).isEqualTo("doublehop");
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.password()).isEmpty();
        assertThat(s.connectTimeout()).isEqualTo(StoreSettings.DEFAULT_CONNECT_TIMEOUT);
        assertThat(read("store: {redis: redis://10.0.0.5:6379, connect-timeout: 100ms}\n").connectTimeout())
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void everyKey() throws Exception {
        Path pass = Files.createTempFile("redis", ".pass");
        Files.writeString(pass, "s3cret\n");
        StoreSettings s = read("store:\n  redis: rediss://redis.internal:6380/2\n  password-file: " + pass
                + "\n  key-prefix: dh-eu\n  timeout: 250ms\n");
        assertThat(s.password()).hasValue("s3cret");
        assertThat(s.keyPrefix()).isEqualTo("dh-eu");
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void mistakesAreNamed() {
        assertThatThrownBy(() -> read("store: {redis: http://x:1}\n")).hasMessageContaining("store.redis")
                .hasMessageContaining("scheme");
        assertThatThrownBy(() -> read("store: {redis: redis://x}\n")).hasMessageContaining("store.redis")
                .hasMessageContaining("port");
        assertThatThrownBy(() -> read("store: {redis: redis://x:1, timeout: soon}\n"))
                .hasMessageContaining("store.timeout");
        assertThatThrownBy(() -> read("store: {redis: redis://x:1, key-prefix: 'a b'}\n"))
                .hasMessageContaining("store.key-prefix");
        assertThatThrownBy(() -> read("store: {reddis: redis://x:1}\n")).hasMessageContaining("store.reddis");
        assertThatThrownBy(() -> read("store: {timeout: 1s}\n")).hasMessageContaining("need store.redis");
        assertThatThrownBy(() -> read("store: {redis: redis://x:1, password-file: /nonexistent/p}\n"))
                .hasMessageContaining("store.password-file");
    }
}
