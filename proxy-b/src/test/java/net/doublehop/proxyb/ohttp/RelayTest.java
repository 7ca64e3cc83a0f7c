package net.doublehop.proxyb.ohttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.config.YamlNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay on loopback between the JDK's HTTP client and a recording fake gateway: the body goes on
 * untouched with nothing of the client's request but its content type, the answer comes back, and every
 * refusal.
 */
class RelayTest {

    private static Vertx vertx;
    private static HttpServer fakeGateway;
    private static RelayService relay;
    private static PrometheusMeterRegistry registry;
    private static final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private static final LinkedBlockingQueue<MultiMap> receivedHeaders = new LinkedBlockingQueue<>();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        fakeGateway = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            receivedHeaders.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
            received.add(req.method() + " " + req.uri() + " " + HexFormat.of().formatHex(body.getBytes()));
            req.response().setStatusCode(200).putHeader("content-type", "message/ohttp-res")
                    .putHeader("cache-control", "private, no-store").putHeader("set-cookie", "gateway=1")
                    .end("sealed answer");
        })).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        String yaml = """
                ohttp-relay:
                  listen: 127.0.0.1:0
                  tls: none
                  max-request-size: 1024
                  gateway-timeout: 5s
                  routes:
                    - {path: /relay/good, gateway: "http://127.0.0.1:%d/gateway?x=1"}
                    - {path: /relay/down, gateway: "http://127.0.0.1:1/gateway"}
                """.formatted(fakeGateway.actualPort());
        JsonNode root = YamlNodes.parseRoot(yaml);
        RelayConfig config = RelayConfigReader.read(root.get("ohttp-relay"), Path::of).orElseThrow();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        relay = new RelayService(config, registry);
        relay.start(vertx, null).await(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + relay.port();
    }

    @AfterAll
    static void stop() throws Exception {
        relay.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private static HttpResponse<String> post(String path, String contentType, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void forwardsTheBodyUntouchedWithNothingThatIdentifiesTheClient() throws Exception {
        byte[] body = {1, 0, 0x20, 0, 1, 0, 1, 9, 8, 7, 6, 5};
        HttpResponse<String> resp = post("/relay/good", "message/ohttp-req", body,
                "Forwarded", "for=192.0.2.60", "X-Forwarded-For", "192.0.2.60", "Via", "1.1 client-proxy",
                "Cookie", "session=abc", "User-Agent", "curl/8", "Authorization", "Basic YTpi",
                "X-Real-IP", "192.0.2.60", "X-Unknown", "tracking-id-42");
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo("sealed answer");
        assertThat(resp.headers().firstValue("content-type")).hasValue("message/ohttp-res");
        assertThat(resp.headers().firstValue("cache-control")).hasValue("private, no-store");
        assertThat(resp.headers().firstValue("set-cookie")).isEmpty();

        assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("POST /gateway?x=1 " + HexFormat.of().formatHex(body));
        MultiMap headers = receivedHeaders.poll(5, TimeUnit.SECONDS);
        assertThat(headers.names().stream().map(String::toLowerCase).toList())
                .allMatch(Set.of("content-type", "content-length", "host")::contains);
        assertThat(headers.get("content-type")).isEqualTo("message/ohttp-req");
        assertThat(headers.get("host")).isEqualTo("127.0.0.1:" + fakeGateway.actualPort());
        assertThat(registry.scrape())
                .contains("privacy_proxy_relay_status_code_total{endpoint=\"/relay/good\",role=\"relay\",status=\"200\"}")
                .contains("privacy_proxy_bytes_to_gateway_total{endpoint=\"/relay/good\",role=\"relay\"} 12.0")
                .doesNotContain("192.0.2.60").doesNotContain("127.0.0.1");
    }

    @Test
    void refusals() throws Exception {
        assertThat(post("/relay/good", "text/plain", new byte[] {1}).statusCode()).isEqualTo(415);
        assertThat(post("/relay/good", "message/ohttp-req", new byte[0]).statusCode()).isEqualTo(400);
        HttpResponse<String> big = post("/relay/good", "message/ohttp-req", new byte[2048]);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(big.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(big.headers().firstValue("proxy-status").orElseThrow()).startsWith("ohttp-relay; error=");
        assertThat(post("/relay/other", "message/ohttp-req", new byte[] {1}).statusCode()).isEqualTo(404);
        assertThat(post("/gateway", "message/ohttp-req", new byte[] {1}).statusCode()).isEqualTo(404);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/relay/good")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(registry.scrape()).contains("privacy_proxy_client_request_errors_total{endpoint=\"/relay/good\","
                + "reason=\"content_type\",role=\"relay\"}");
    }

    @Test
    void anUnreachableGatewayIs502() throws Exception {
        HttpResponse<String> resp = post("/relay/down", "message/ohttp-req", new byte[] {1, 2, 3});
        assertThat(resp.statusCode()).isEqualTo(502);
        assertThat(resp.headers().firstValue("proxy-status").orElseThrow()).contains("error=connection_refused");
        assertThat(registry.scrape()).contains("privacy_proxy_gateway_response_errors_total{endpoint=\"/relay/down\","
                + "reason=\"connection_refused\",role=\"relay\"}");
    }
}
