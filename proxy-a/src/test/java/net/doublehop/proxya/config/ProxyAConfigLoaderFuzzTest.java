package net.doublehop.proxya.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.doublehop.runtime.config.ConfigException;

/**
 * Fuzz target (Jazzer) for Proxy A's YAML config loader: any text is either a config or refused with a
 * {@link ConfigException} naming what is wrong (what the operator sees at start), never another exception. Relative
 * paths resolve against an empty directory, so file keys exercise the not-found paths.
 */
class ProxyAConfigLoaderFuzzTest {

    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("proxy-a-config-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void yaml(byte[] input) {
        try {
            assertThat(ProxyAConfigLoader.parse(new String(input, StandardCharsets.UTF_8), DIR)).isNotNull();
        } catch (ConfigException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
