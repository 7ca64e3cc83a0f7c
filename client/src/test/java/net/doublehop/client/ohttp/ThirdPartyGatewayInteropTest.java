package net.doublehop.client.ohttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxyb.ohttp.RelayConfigReader;
import net.doublehop.proxyb.ohttp.RelayService;
import net.doublehop.runtime.config.YamlNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interop, the other way round from Proxy A's ObliviousHttpEndToEndTest: our client (the code
 * {@code client.jar ohttp} runs) against an Oblivious HTTP gateway built on implementations not written here,
 * HPKE from hpke-js ({@code @hpke/core}, {@code @hpke/chacha20poly1305}) and binary HTTP from bhttp-js
 * (proxy-a/src/test/node/ohttp-interop/gateway.mjs, packages pinned by its lock file and installed by
 * scripts/install-node-test-deps.sh). The gateway forwards to a real destination on loopback; the client
 * reaches it directly and through our relay (Proxy B's), with either AEAD the gateway offers.
 */
class ThirdPartyGatewayInteropTest {

    static final Path NODE_DIR = Path.of("../proxy-a/src/test/node/ohttp-interop").toAbsolutePath().normalize();

    private static Vertx vertx;
    private static RelayService relay;
    private static final List<Process> gateways = new ArrayList<>();
    private static final ConcurrentLinkedQueue<String> destinationSaw = new ConcurrentLinkedQueue<>();
    private static int destinationPort;
    private static int aesGatewayPort;
    private static int chachaGatewayPort;

    @BeforeAll
    static void start() throws Exception {
        Process install = new ProcessBuilder("bash",
                Path.of("../scripts/install-node-test-deps.sh").toAbsolutePath().toString()).redirectErrorStream(true).start();
        String installOut = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(install.waitFor(300, TimeUnit.SECONDS) && install.exitValue() == 0)
                .as("scripts/install-node-test-deps.sh: " + installOut).isTrue();
        vertx = Vertx.vertx();
        destinationPort = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            destinationSaw.add(req.method() + " " + req.uri() + " x-test=" + req.getHeader("x-test") + " body="
                    + body.toString(StandardCharsets.UTF_8));
            req.response().putHeader("x-destination", "yes")
                    .end("Hello. You reached me from " + req.remoteAddress().hostAddress());
        })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
        aesGatewayPort = startGateway(1);
        chachaGatewayPort = startGateway(3);
        relay = new RelayService(RelayConfigReader.read(YamlNodes.parseRoot("""
                ohttp-relay:
                  listen: 127.0.0.1:0
                  tls: none
                  routes: [{path: /relay/js, gateway: "http://127.0.0.1:%d/gateway"}]
                """.formatted(aesGatewayPort)).get("ohttp-relay"), Path::of).orElseThrow(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        relay.start(vertx, null).await(10, TimeUnit.SECONDS);
    }

    /** Starts gateway.mjs allowing only the destination's origin; its port from the first line it prints. */
    private static int startGateway(int aeadId) throws Exception {
        Path out = Files.createTempFile("ohttp-js-gateway", ".out");
        Process p = new ProcessBuilder("node", NODE_DIR.resolve("gateway.mjs").toString(),
                "http://127.0.0.1:" + destinationPort, Integer.toString(aeadId))
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        gateways.add(p);
        p.getOutputStream().close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && p.isAlive()) {
            String first = Files.readString(out).lines().findFirst().orElse("");
            if (first.startsWith("{\"port\":")) {
                return Integer.parseInt(first.replaceAll("\\D", ""));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("gateway.mjs did not start: " + Files.readString(out));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : gateways) {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (relay != null) {
            relay.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }

    private record Run(int code, String out, String err) { }

    private static Run client(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = OhttpCommand.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String gateway(int port, String path) {
        return "http://127.0.0.1:" + port + path;
    }

    @ParameterizedTest(name = "AEAD {0}")
    @ValueSource(ints = {1, 3})
    void ourClientGetsTheDestinationsAnswerFromTheJsGatewayDirectly(int aeadId) {
        int port = aeadId == 1 ? aesGatewayPort : chachaGatewayPort;
        Run r = client("--relay", gateway(port, "/gateway"), "--keys", gateway(port, "/ohttp-keys"), "-i",
                "-H", "X-Test: aead-" + aeadId, "GET", "http://127.0.0.1:" + destinationPort + "/direct?aead=" + aeadId);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("200\n").contains("x-destination: yes\n")
                .endsWith("\nHello. You reached me from 127.0.0.1");
        assertThat(destinationSaw).contains("GET /direct?aead=" + aeadId + " x-test=aead-" + aeadId + " body=");
    }

    @Test
    void ourClientThroughOurRelayToTheJsGatewayWithContent() {
        Run r = client("--relay", "http://127.0.0.1:" + relay.port() + "/relay/js",
                "--keys", gateway(aesGatewayPort, "/ohttp-keys"), "-H", "X-Test: relayed", "-d", "hello gateway",
                "POST", "http://127.0.0.1:" + destinationPort + "/relayed");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("Hello. You reached me from 127.0.0.1");
        assertThat(destinationSaw).contains("POST /relayed x-test=relayed body=hello gateway");
    }

    @Test
    void theJsGatewaysEncapsulatedRefusalIsDecryptedToo() {
        Run r = client("--relay", gateway(aesGatewayPort, "/gateway"), "--keys", gateway(aesGatewayPort, "/ohttp-keys"),
                "-i", "GET", "http://127.0.0.1:1/not-allowed");
        assertThat(r.code()).as(r.err()).isZero(); // a decrypted response, of any status
        assertThat(r.out()).startsWith("403\n").contains("content-type: application/problem+json")
                .contains("target not allowed");
        assertThat(destinationSaw).noneMatch(s -> s.contains("not-allowed"));
    }
}
