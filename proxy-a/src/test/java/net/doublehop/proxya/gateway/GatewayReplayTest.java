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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
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
import net.doublehop.protocol.ohttp.OhttpMediaTypes;
import net.doublehop.protocol.ohttp.RequestDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's replay defence (RFC 9458 §6.5) on loopback, the JDK's HTTP client playing the relay that
 * replays: a captured Encapsulated Request sent again is refused without reaching the target; a request
 * whose {@code Date} is outside the window gets §6.5.2's problem with the gateway's {@code Date}; a full
 * register refuses new requests; and the configuration keys' checks.
 */
class GatewayReplayTest {

    private static Vertx vertx;
    private static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static int targetPort;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        targetPort = vertx.createHttpServer().requestHandler(req -> {
            seen.add(req.method() + " " + req.uri());
            req.response().end("answered " + req.uri());
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private record Gateway(GatewayService service, PrometheusMeterRegistry registry, String base) {
        KeyConfig keyConfig() throws Exception {
            return KeyConfig.decodeList(http.send(HttpRequest.newBuilder(URI.create(base + "/ohttp-keys")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body()).get(0);
        }

        /** Posts Encapsulated Request bytes as a relay would: the outer answer. */
        HttpResponse<byte[]> post(byte[] encapsulated) throws Exception {
            return http.send(HttpRequest.newBuilder(URI.create(base + "/gateway"))
                    .header("content-type", OhttpMediaTypes.REQUEST)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(encapsulated)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private static Gateway gateway(String replaySection) throws Exception {
        return gateway(replaySection, 0);
    }

    private static Gateway gateway(String replaySection, int port) throws Exception {
        String yaml = """
                gateway:
                  listen: 127.0.0.1:%d
                  tls: none
                  allowed-targets: [http://127.0.0.1:%d]
                %s""".formatted(port, targetPort, replaySection);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayService service = new GatewayService(GatewayCommand.parse(yaml, Path.of(".")).gateway(), registry,
                false);
        service.start(vertx, null).await(10, TimeUnit.SECONDS);
        return new Gateway(service, registry, "http://127.0.0.1:" + service.port());
    }

    private static BinaryHttpRequest get(String path, List<Field> fields) {
        return BinaryHttpRequest.of("GET", "http", "127.0.0.1:" + targetPort, path, fields);
    }

    private static BinaryHttpResponse open(ClientExchange exchange, HttpResponse<byte[]> outer) throws Exception {
        assertThat(outer.statusCode()).isEqualTo(200);
        assertThat(outer.headers().firstValue("content-type")).hasValue(OhttpMediaTypes.RESPONSE);
        return BinaryHttp.decodeResponse(exchange.decapsulateResponse(outer.body()));
    }

    @Test
    void aCapturedRequestReplayedIsRefusedAndNeverReachesTheTarget() throws Exception {
        Gateway g = gateway(""); // the defaults: the register on, 60 s, no Date check
        try {
            ClientExchange exchange = ObliviousClient.encapsulate(g.keyConfig(),
                    BinaryHttp.encode(get("/once", List.of())));
            byte[] captured = exchange.encapsulatedRequest();
            BinaryHttpResponse first = open(exchange, g.post(captured));
            assertThat(first.status()).isEqualTo(200);
            assertThat(new String(first.content(), StandardCharsets.UTF_8)).isEqualTo("answered /once");

            for (int i = 0; i < 2; i++) {
                BinaryHttpResponse replayed = open(exchange, g.post(captured));
                assertThat(replayed.status()).isEqualTo(400);
                assertThat(replayed.header("content-type")).containsExactly("application/problem+json");
                assertThat(new String(replayed.content(), StandardCharsets.UTF_8)).contains("replayed request");
                assertThat(replayed.header("proxy-status").get(0)).contains("error=http_request_error");
            }
            assertThat(seen.stream().filter(s -> s.equals("GET /once")).count()).isEqualTo(1);

            // the same request encapsulated afresh is a new request, not a replay (RFC 9458 §6.5.2's retry)
            ClientExchange again = ObliviousClient.encapsulate(g.keyConfig(), BinaryHttp.encode(get("/once", List.of())));
            assertThat(open(again, g.post(again.encapsulatedRequest())).status()).isEqualTo(200);

            String metrics = g.registry().scrape();
            assertThat(metrics).contains("privacy_proxy_gateway_replay_refusals_total{endpoint=\"gateway\","
                    + "reason=\"replayed\",role=\"gateway\"} 2.0");
            assertThat(metrics).contains("privacy_proxy_gateway_replay_register_entries{role=\"gateway\"} 2.0");
        } finally {
            g.service().stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDateOutsideTheWindowGetsTheDateProblemWithTheGatewaysDate() throws Exception {
        Gateway g = gateway("""
                  replay: {window: 2m, date-skew: 1m, require-date: true}
                """);
        try {
            KeyConfig config = g.keyConfig();
            ClientExchange stale = ObliviousClient.encapsulate(config, BinaryHttp.encode(get("/stale",
                    List.of(new Field("date", RequestDate.format(Instant.now().minus(Duration.ofHours(1))))))));
            BinaryHttpResponse refused = open(stale, g.post(stale.encapsulatedRequest()));
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.header("content-type")).containsExactly("application/problem+json");
            assertThat(new String(refused.content(), StandardCharsets.UTF_8))
                    .contains("\"type\":\"" + OhttpMediaTypes.DATE_PROBLEM_TYPE + "\"");
            Instant gatewayDate = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(refused.header("date").get(0)));
            assertThat(Duration.between(gatewayDate, Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));

            ClientExchange undated = ObliviousClient.encapsulate(config, BinaryHttp.encode(get("/undated", List.of())));
            assertThat(open(undated, g.post(undated.encapsulatedRequest())).status()).isEqualTo(400);

            // the retry RFC 9458 §6.5.2 allows: the gateway's Date, a fresh encapsulation
            ClientExchange retry = ObliviousClient.encapsulate(config, BinaryHttp.encode(get("/stale",
                    List.of(new Field("date", refused.header("date").get(0))))));
            assertThat(open(retry, g.post(retry.encapsulatedRequest())).status()).isEqualTo(200);
            assertThat(seen).doesNotContain("GET /undated").containsOnlyOnce("GET /stale");
            assertThat(g.registry().scrape()).contains("privacy_proxy_gateway_replay_refusals_total{endpoint=\"gateway\","
                    + "reason=\"date\",role=\"gateway\"} 2.0");
        } finally {
            g.service().stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRegisterStaysBoundedAndAFullOneRefusesNewRequests() throws Exception {
        Gateway g = gateway("""
                  replay: {window: 10m, max-entries: 3}
                """);
        try {
            KeyConfig config = g.keyConfig();
            for (int i = 0; i < 3; i++) {
                ClientExchange e = ObliviousClient.encapsulate(config, BinaryHttp.encode(get("/fill-" + i, List.of())));
                assertThat(open(e, g.post(e.encapsulatedRequest())).status()).isEqualTo(200);
            }
            for (int i = 0; i < 5; i++) {
                ClientExchange e = ObliviousClient.encapsulate(config, BinaryHttp.encode(get("/overflow", List.of())));
                BinaryHttpResponse full = open(e, g.post(e.encapsulatedRequest()));
                assertThat(full.status()).isEqualTo(503);
                assertThat(full.header("proxy-status").get(0)).contains("error=proxy_internal_response");
            }
            assertThat(seen).doesNotContain("GET /overflow");
            String metrics = g.registry().scrape();
            assertThat(metrics).contains("privacy_proxy_gateway_replay_register_entries{role=\"gateway\"} 3.0");
            assertThat(metrics).contains("privacy_proxy_gateway_replay_register_max_entries{role=\"gateway\"} 3.0");
            assertThat(metrics).contains("privacy_proxy_gateway_replay_refusals_total{endpoint=\"gateway\","
                    + "reason=\"register_full\",role=\"gateway\"} 5.0");
        } finally {
            g.service().stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void severalEventLoopsShareOnePortAndOneRegister() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // a given port: on port 0 the gateway runs one instance
        }
        Gateway g = gateway("""
                  event-loops: 3
                """, port);
        try {
            assertThat(g.service().instancePorts()).hasSize(3).containsOnly(g.service().port());
            ClientExchange exchange = ObliviousClient.encapsulate(g.keyConfig(),
                    BinaryHttp.encode(get("/loops", List.of())));
            byte[] captured = exchange.encapsulatedRequest();
            assertThat(open(exchange, g.post(captured)).status()).isEqualTo(200);
            // a new connection each time: Vert.x hands accepted connections to the instances in turn, so the
            // replays reach every event loop, and each is refused by the one register they share
            for (int i = 0; i < 6; i++) {
                HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpResponse<byte[]> outer = fresh.send(HttpRequest.newBuilder(URI.create(g.base() + "/gateway"))
                        .header("content-type", OhttpMediaTypes.REQUEST)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(captured)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(open(exchange, outer).status()).as("replay %d", i).isEqualTo(400);
            }
            assertThat(seen.stream().filter(s -> s.equals("GET /loops")).count()).isEqualTo(1);
        } finally {
            g.service().stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void turnedOffTheGatewayAnswersAReplayAgain() throws Exception {
        Gateway g = gateway("""
                  replay: {enabled: false}
                """);
        try {
            ClientExchange e = ObliviousClient.encapsulate(g.keyConfig(), BinaryHttp.encode(get("/twice", List.of())));
            assertThat(open(e, g.post(e.encapsulatedRequest())).status()).isEqualTo(200);
            assertThat(open(e, g.post(e.encapsulatedRequest())).status()).isEqualTo(200);
            assertThat(seen.stream().filter(s -> s.equals("GET /twice")).count()).isEqualTo(2);
        } finally {
            g.service().stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void configurationChecks() {
        GatewayConfig.Replay defaults = GatewayConfigReader.replay(null);
        assertThat(defaults).isEqualTo(new GatewayConfig.Replay(true, Duration.ofMinutes(1), 500_000,
                java.util.Optional.empty(), false));
        String base = """
                gateway:
                  listen: 127.0.0.1:0
                  allowed-targets: [http://127.0.0.1:1]
                  replay: %s
                """;
        assertThatThrownBy(() -> GatewayCommand.parse(base.formatted("{window: 1m, date-skew: 31s}"), Path.of(".")))
                .hasMessageContaining("at least twice gateway.replay.date-skew");
        assertThatThrownBy(() -> GatewayCommand.parse(base.formatted("{require-date: true}"), Path.of(".")))
                .hasMessageContaining("needs gateway.replay.date-skew");
        assertThatThrownBy(() -> GatewayCommand.parse(base.formatted("{max-entries: 0}"), Path.of(".")))
                .hasMessageContaining("max-entries");
        assertThatThrownBy(() -> GatewayCommand.parse(base.formatted("{windw: 1m}"), Path.of(".")))
                .hasMessageContaining("windw");
    }
}
