package net.doublehop.proxya.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.ohttp.GatewayKey;
import net.doublehop.protocol.ohttp.KeyConfig;
import net.doublehop.runtime.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * A reload of {@code gateway.keys} (what Proxy A's reload calls): new requests and the published key
 * configurations use the new key; a key file that cannot be used is refused, naming the key and the file, and the
 * running key stays.
 */
class GatewayKeysReloadTest {

    private static String yaml(String keyFile, int keyId) {
        return """
                gateway:
                  listen: 127.0.0.1:0
                  tls: none
                  keys: [{file: %s, key-id: %d}]
                  allowed-targets: [http://127.0.0.1:9]
                """.formatted(keyFile, keyId);
    }

    private static KeyConfig published(int port) throws Exception {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/ohttp-keys")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        return KeyConfig.decodeList(r.body()).get(0);
    }

    @Test
    void newKeysApplyToNewRequestsAndABadFileIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("gateway-keys");
        Files.writeString(dir.resolve("k1.pem"), GatewayKey.generate(1, GatewayKey.DEFAULT_ALGORITHMS,
                new SecureRandom()).toPem());
        Files.writeString(dir.resolve("k2.pem"), GatewayKey.generate(2, GatewayKey.DEFAULT_ALGORITHMS,
                new SecureRandom()).toPem());
        Files.writeString(dir.resolve("bad.pem"), "not a key\n");
        Vertx vertx = Vertx.vertx();
        GatewayService service = new GatewayService(GatewayCommand.parse(yaml("k1.pem", 1), dir).gateway(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
        try {
            service.start(vertx, null).await(10, TimeUnit.SECONDS);
            assertThat(published(service.port()).keyId()).isEqualTo(1);

            Runnable swap = service.prepareKeys(GatewayCommand.parse(yaml("k2.pem", 2), dir).gateway());
            assertThat(published(service.port()).keyId()).as("nothing changes before the swap").isEqualTo(1);
            swap.run();
            assertThat(published(service.port()).keyId()).isEqualTo(2);

            assertThatThrownBy(() -> service.prepareKeys(GatewayCommand.parse(yaml("bad.pem", 3), dir).gateway()))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.keys")
                    .hasMessageContaining(dir.resolve("bad.pem").toString());
            assertThat(published(service.port()).keyId()).isEqualTo(2);
        } finally {
            service.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
