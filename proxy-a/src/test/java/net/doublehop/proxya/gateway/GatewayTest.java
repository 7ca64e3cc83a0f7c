package net.doublehop.proxya.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import net.doublehop.protocol.ohttp.OhttpMediaTypes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway on loopback with a real target server and the JDK's HTTP client as the relay: keys, a
 * forwarded request and its encapsulated answer, and every refusal (plain ones before decapsulation,
 * encapsulated ones after).
 */
class GatewayTest {

    private static Vertx vertx;
    private static HttpServer target;
    private static GatewayService gateway;
    private static PrometheusMeterRegistry registry;
    private static final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static String base;
    private static int targetPort;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        target = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            seen.add(req.remoteAddress().hostAddress() + " " + req.method() + " " + req.uri() + " host=" + req.getHeader("host") + " x-test="
                    + req.getHeader("x-test") + " body=" + body.toString());
            if (req.path().equals("/big")) {
                req.response().end("x".repeat(5000));
            } else {
                req.response().putHeader("X-Answer", "yes").setStatusCode(201).end("hello " + body);
            }
        })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        targetPort = target.actualPort();
        String yaml = """
                gateway:
                  listen: 127.0.0.1:0
                  tls: none
                  allowed-targets: [http://127.0.0.1:%d]
                  max-request-size: 2048
                  max-response-size: 4096
                  target-timeout: 5s
                  egress-address: 127.0.0.4
                """.formatted(targetPort);
        GatewayConfig cfg = GatewayCommand.parse(yaml, Path.of(".")).gateway();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        gateway = new GatewayService(cfg, registry, false);
        gateway.start(vertx, null).await(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + gateway.port();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static KeyConfig keyConfig() throws Exception {
        HttpResponse<byte[]> keys = http.send(HttpRequest.newBuilder(URI.create(base + "/ohttp-keys")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(keys.statusCode()).isEqualTo(200);
        assertThat(keys.headers().firstValue("content-type")).hasValue(OhttpMediaTypes.KEYS);
        assertThat(keys.headers().firstValue("cache-control")).hasValue("public, max-age=3600");
        return KeyConfig.decodeList(keys.body()).get(0);
    }

    private static HttpResponse<byte[]> post(byte[] body, String contentType) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/gateway")).header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Sends a binary HTTP request through the gateway and opens the answer. */
    private static BinaryHttpResponse exchange(BinaryHttpRequest request) throws Exception {
        ClientExchange client = ObliviousClient.encapsulate(keyConfig(), BinaryHttp.encode(request));
        HttpResponse<byte[]> resp = post(client.encapsulatedRequest(), OhttpMediaTypes.REQUEST);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.headers().firstValue("content-type")).hasValue(OhttpMediaTypes.RESPONSE);
        assertThat(resp.headers().firstValue("cache-control")).hasValue("private, no-store");
        return BinaryHttp.decodeResponse(client.decapsulateResponse(resp.body()));
    }

    @Test
    void forwardsToAnAllowedTargetAndEncapsulatesItsAnswer() throws Exception {
        BinaryHttpRequest request = new BinaryHttpRequest("POST", "http", "127.0.0.1:" + targetPort, "/echo?q=1",
                List.of(new Field("x-test", "42"), new Field("connection", "close")),
                "world".getBytes(StandardCharsets.US_ASCII), List.of());
        BinaryHttpResponse response = exchange(request);
        assertThat(response.status()).isEqualTo(201);
        assertThat(new String(response.content(), StandardCharsets.US_ASCII)).isEqualTo("hello world");
        assertThat(response.header("x-answer")).containsExactly("yes");
        assertThat(response.headers()).allSatisfy(f -> assertThat(f.name()).isLowerCase());
        assertThat(seen).contains("127.0.0.4 POST /echo?q=1 host=127.0.0.1:" + targetPort + " x-test=42 body=world");
        assertThat(registry.scrape()).contains("privacy_proxy_gateway_status_code_total{endpoint=\"gateway\","
                + "role=\"gateway\",status=\"200\"}");
    }

    @Test
    void hostHeaderStandsInForAnEmptyAuthority() throws Exception {
        BinaryHttpRequest request = BinaryHttpRequest.of("GET", "http", "", "/h",
                List.of(new Field("host", "127.0.0.1:" + targetPort)));
        assertThat(exchange(request).status()).isEqualTo(201);
    }

    @Test
    void otherTargetsGetAnEncapsulated403() throws Exception {
        for (String authority : List.of("127.0.0.1:1", "example.com", "127.0.0.1:" + targetPort + "@evil")) {
            BinaryHttpResponse response = exchange(BinaryHttpRequest.of("GET", "http", authority, "/", List.of()));
            assertThat(response.status()).as(authority).isEqualTo(403);
            assertThat(response.header("proxy-status").get(0)).contains("error=http_request_denied");
        }
        BinaryHttpResponse https = exchange(BinaryHttpRequest.of("GET", "https", "127.0.0.1:" + targetPort, "/",
                List.of()));
        assertThat(https.status()).isEqualTo(403); // the scheme is part of the origin
    }

    @Test
    void failuresAfterDecapsulationAreEncapsulated() throws Exception {
        KeyConfig config = keyConfig();
        ClientExchange garbage = ObliviousClient.encapsulate(config, new byte[] {0, 1, 2});
        HttpResponse<byte[]> resp = post(garbage.encapsulatedRequest(), OhttpMediaTypes.REQUEST);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(BinaryHttp.decodeResponse(garbage.decapsulateResponse(resp.body())).status()).isEqualTo(400);

        BinaryHttpResponse expect = exchange(BinaryHttpRequest.of("POST", "http", "127.0.0.1:" + targetPort, "/",
                List.of(new Field("expect", "100-continue"))));
        assertThat(expect.status()).isEqualTo(417);

        BinaryHttpResponse big = exchange(BinaryHttpRequest.of("GET", "http", "127.0.0.1:" + targetPort, "/big",
                List.of()));
        assertThat(big.status()).isEqualTo(502);
        assertThat(big.header("proxy-status").get(0)).contains("error=http_response_body_size");
    }

    @Test
    void refusalsBeforeDecapsulationArePlainProblemDetails() throws Exception {
        KeyConfig config = keyConfig();
        byte[] good = ObliviousClient.encapsulate(config, BinaryHttp.encode(
                BinaryHttpRequest.of("GET", "http", "127.0.0.1:" + targetPort, "/", List.of()))).encapsulatedRequest();

        HttpResponse<byte[]> wrongType = post(good, "application/octet-stream");
        assertThat(wrongType.statusCode()).isEqualTo(415);

        byte[] unknownKey = good.clone();
        unknownKey[0] ^= 0x55;
        HttpResponse<byte[]> unknown = post(unknownKey, OhttpMediaTypes.REQUEST);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(new String(unknown.body(), StandardCharsets.UTF_8))
                .contains("\"type\":\"https://iana.org/assignments/http-problem-types#ohttp-key\"");
        assertThat(unknown.headers().firstValue("proxy-status").orElseThrow()).contains("error=http_request_error");

        byte[] tampered = good.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThat(post(tampered, OhttpMediaTypes.REQUEST).statusCode()).isEqualTo(400);
        assertThat(post(new byte[3], OhttpMediaTypes.REQUEST).statusCode()).isEqualTo(400);
        assertThat(post(new byte[4096], OhttpMediaTypes.REQUEST).statusCode()).isEqualTo(413);

        HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(base + "/gateway")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<byte[]> elsewhere = http.send(HttpRequest.newBuilder(URI.create(base + "/nothing")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(elsewhere.statusCode()).isEqualTo(404);
        assertThat(registry.scrape()).contains("privacy_proxy_client_request_errors_total{endpoint=\"gateway\","
                + "reason=\"unknown_key\",role=\"gateway\"}");
    }

    @Test
    void anUnreachableTargetIsAnEncapsulated502() throws Exception {
        String yaml = """
                gateway:
                  listen: 127.0.0.1:0
                  tls: none
                  allowed-targets: [http://127.0.0.1:1]
                """;
        GatewayService other = new GatewayService(GatewayCommand.parse(yaml, Path.of(".")).gateway(), registry,
                false);
        other.start(vertx, null).await(10, TimeUnit.SECONDS);
        try {
            String otherBase = "http://127.0.0.1:" + other.port();
            HttpResponse<byte[]> keys = http.send(HttpRequest.newBuilder(URI.create(otherBase + "/ohttp-keys")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            ClientExchange client = ObliviousClient.encapsulate(KeyConfig.decodeList(keys.body()).get(0),
                    BinaryHttp.encode(BinaryHttpRequest.of("GET", "http", "127.0.0.1:1", "/", List.of())));
            HttpResponse<byte[]> resp = http.send(HttpRequest.newBuilder(URI.create(otherBase + "/gateway"))
                    .header("content-type", OhttpMediaTypes.REQUEST)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(client.encapsulatedRequest())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(resp.statusCode()).isEqualTo(200);
            BinaryHttpResponse inner = BinaryHttp.decodeResponse(client.decapsulateResponse(resp.body()));
            assertThat(inner.status()).isEqualTo(502);
            assertThat(inner.header("proxy-status").get(0)).contains("error=connection_refused");
        } finally {
            other.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
    }
}
