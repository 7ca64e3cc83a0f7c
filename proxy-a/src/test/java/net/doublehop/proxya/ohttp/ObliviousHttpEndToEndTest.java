package net.doublehop.proxya.ohttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.bhttp.BinaryHttp;
import net.doublehop.protocol.bhttp.BinaryHttpRequest;
import net.doublehop.protocol.bhttp.BinaryHttpResponse;
import net.doublehop.protocol.bhttp.Field;
import net.doublehop.protocol.ohttp.ClientExchange;
import net.doublehop.protocol.ohttp.KeyConfig;
import net.doublehop.protocol.ohttp.ObliviousClient;
import net.doublehop.proxya.gateway.GatewayCommand;
import net.doublehop.proxya.gateway.GatewayConfig;
import net.doublehop.proxya.gateway.GatewayService;
import net.doublehop.proxyb.ohttp.RelayConfigReader;
import net.doublehop.proxyb.ohttp.RelayService;
import net.doublehop.runtime.config.YamlNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * curl (from 127.0.0.10, the user's address) → relay (Proxy B's) → gateway → destination: the destination
 * answers, and neither it nor the gateway ever sees the user's address, in the connection or in a header
 * (the {@code client.jar ohttp} command over the same path: the client module's OhttpCommandTest). Interop: a client built on
 * hpke-js ({@code @hpke/core}, {@code @hpke/chacha20poly1305}) and bhttp-js, implementations not written
 * here (src/test/node/ohttp-interop, packages pinned by its lock file and installed by
 * scripts/install-node-test-deps.sh), gets its answer through our relay and gateway with either AEAD.
 */
class ObliviousHttpEndToEndTest {

    private static final String USER_ADDRESS = "127.0.0.10";
    private static Vertx vertx;
    private static HttpServer destination;
    private static HttpServer gatewayFront;
    private static GatewayService gateway;
    private static RelayService relay;
    private static final ConcurrentLinkedQueue<String> destinationSaw = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<String> gatewaySaw = new ConcurrentLinkedQueue<>();
    private static String relayUrl;
    private static String keysUrl;
    private static int destinationPort;

    static final Path NODE_DIR = Path.of("src/test/node/ohttp-interop").toAbsolutePath();

    @BeforeAll
    static void start() throws Exception {
        Process install = new ProcessBuilder("bash", Path.of("../scripts/install-node-test-deps.sh").toAbsolutePath()
                .toString()).redirectErrorStream(true).start();
        String installOut = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(install.waitFor(300, TimeUnit.SECONDS) && install.exitValue() == 0)
                .as("scripts/install-node-test-deps.sh: " + installOut).isTrue();
        vertx = Vertx.vertx();
        destination = vertx.createHttpServer().requestHandler(req -> {
            destinationSaw.add(req.remoteAddress().hostAddress() + " " + req.headers());
            req.response().end("Hello from the destination. You reached me from " + req.remoteAddress().hostAddress());
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        destinationPort = destination.actualPort();
        GatewayConfig gc = parseGateway("""
                gateway:
                  listen: 127.0.0.1:0
                  tls: none
                  allowed-targets: [http://127.0.0.1:%d]
                """.formatted(destinationPort));
        gateway = new GatewayService(gc, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
        gateway.start(vertx, null).await(10, TimeUnit.SECONDS);
        // A recording hop in front of the gateway, to see what the relay sends it
        var toGateway = vertx.createHttpClient();
        int gatewayPort = gateway.port();
        gatewayFront = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            gatewaySaw.add(req.remoteAddress().hostAddress() + " " + req.headers());
            toGateway.request(req.method(), gatewayPort, "127.0.0.1", req.uri())
                    .compose(r -> r.putHeader("content-type", req.getHeader("content-type")).send(body))
                    .compose(r -> r.body().map(b -> {
                        req.response().setStatusCode(r.statusCode()).headers().addAll(r.headers());
                        return b;
                    }))
                    .onSuccess(b -> req.response().end(b));
        })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        var relayConfig = RelayConfigReader.read(YamlNodes.parseRoot("""
                ohttp-relay:
                  listen: 127.0.0.1:0
                  tls: none
                  routes: [{path: /relay/demo, gateway: "http://127.0.0.1:%d/gateway"}]
                """.formatted(gatewayFront.actualPort())).get("ohttp-relay"), Path::of).orElseThrow();
        relay = new RelayService(relayConfig, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        relay.start(vertx, null).await(10, TimeUnit.SECONDS);
        relayUrl = "http://127.0.0.1:" + relay.port() + "/relay/demo";
        keysUrl = "http://127.0.0.1:" + gateway.port() + "/ohttp-keys";
    }

    private static GatewayConfig parseGateway(String yaml) {
        return GatewayCommand.parse(yaml, Path.of(".")).gateway();
    }

    @AfterAll
    static void stop() throws Exception {
        relay.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        gateway.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void curlFromTheUsersAddressReachesTheDestinationWhichNeverSeesIt(@TempDir Path dir) throws Exception {
        Process keys = new ProcessBuilder("curl", "-sS", "--max-time", "20", "-o", dir.resolve("keys").toString(),
                keysUrl).start();
        assertThat(keys.waitFor(30, TimeUnit.SECONDS) && keys.exitValue() == 0).isTrue();
        KeyConfig config = KeyConfig.decodeList(Files.readAllBytes(dir.resolve("keys"))).get(0);
        ClientExchange exchange = ObliviousClient.encapsulate(config, BinaryHttp.encode(BinaryHttpRequest.of("GET",
                "http", "127.0.0.1:" + destinationPort, "/", List.of(new Field("accept", "text/plain")))));
        Files.write(dir.resolve("req"), exchange.encapsulatedRequest());
        Process p = new ProcessBuilder("curl", "-sS", "--max-time", "20", "--interface", USER_ADDRESS,
                "-H", "content-type: message/ohttp-req", "-H", "X-Forwarded-For: " + USER_ADDRESS,
                "-H", "Forwarded: for=" + USER_ADDRESS, "-H", "Cookie: id=user-1",
                "--data-binary", "@" + dir.resolve("req"), "-o", dir.resolve("res").toString(), relayUrl)
                .redirectErrorStream(true).start();
        String curlOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as(curlOut).isTrue();
        BinaryHttpResponse response = BinaryHttp.decodeResponse(
                exchange.decapsulateResponse(Files.readAllBytes(dir.resolve("res"))));
        assertThat(response.status()).isEqualTo(200);
        assertThat(new String(response.content(), StandardCharsets.US_ASCII))
                .isEqualTo("Hello from the destination. You reached me from 127.0.0.1");
        assertThat(destinationSaw).isNotEmpty().noneMatch(s -> s.contains(USER_ADDRESS) || s.contains("user-1"));
        assertThat(gatewaySaw).isNotEmpty().noneMatch(s -> s.contains(USER_ADDRESS) || s.contains("user-1"));
    }

    @ParameterizedTest(name = "AEAD {0}")
    @ValueSource(ints = {1, 3})
    void hpkeJsAndBhttpJsGetTheirAnswerThroughOurRelayAndGateway(int aeadId) throws Exception {
        Process p = new ProcessBuilder("node", NODE_DIR.resolve("interop.mjs").toString(), relayUrl, keysUrl,
                "http://127.0.0.1:" + destinationPort + "/interop", Integer.toString(aeadId))
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as(out).isTrue();
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        assertThat(json.get("status").asInt()).as(out).isEqualTo(200);
        assertThat(json.get("body").asText()).isEqualTo("Hello from the destination. You reached me from 127.0.0.1");
        assertThat(destinationSaw).anyMatch(s -> s.contains("hpke-js")); // the x-interop field bhttp-js encoded
    }
}
