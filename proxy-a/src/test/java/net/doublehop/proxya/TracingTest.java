package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Tunnel traces at both proxies (docs/operations.md, "Tracing"), exported by OTLP/HTTP to an in-process receiver
 * per proxy: curl's tunnels through A and B, one accepted and two refused (at A, and at B), then the spans each
 * proxy sent: their names, their parent/child shape, the status of a refusal, and that nothing in them names the
 * user, the client's address, the credential, the destination or the location, and that A's and B's traces
 * share no trace id.
 */
class TracingTest {

    private static final String OK_CLIENT = "127.0.0.10";     // Tokyo in A's demo table
    private static final String PROHIBITED = "127.0.0.9:9";   // outside B's destinations.allow

    private static String tracing(OtlpReceiver receiver, double ratio) {
        return "tracing: {otlp-endpoint: '%s', sample-ratio: %s}\n".formatted(receiver.endpoint(), ratio);
    }

    private static int curl(DoubleHopFixture fx, String user, String target) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-p", "-x",
                "https://127.0.0.1:" + fx.a.port(), "--proxy-insecure", "--interface", OK_CLIENT,
                "--proxy-user", user, "-o", "/dev/null", "http://" + target + "/"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    /** Closes both proxies once their tunnels are gone; their tracing sends what it still holds as they stop. */
    private static void closeWhenIdle(DoubleHopFixture fx) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline
                && (DoubleHopFixture.metric(fx.a.adminPort(), "privacy_proxy_tunnels_active") > 0
                || DoubleHopFixture.metric(fx.b.adminPort(), "privacy_proxy_tunnels_active") > 0)) {
            Thread.sleep(20);
        }
        fx.close();
    }

    /** Spans by trace id; each trace must be one root "tunnel" span and its direct children. */
    private static Map<String, List<OtlpReceiver.Received>> traces(OtlpReceiver receiver, String service) {
        List<OtlpReceiver.Received> spans = receiver.spans();
        assertThat(spans).isNotEmpty().allSatisfy(s -> assertThat(s.resource().getResource().getAttributesList())
                .anySatisfy(kv -> {
                    assertThat(kv.getKey()).isEqualTo("service.name");
                    assertThat(kv.getValue().getStringValue()).isEqualTo(service);
                }));
        Map<String, List<OtlpReceiver.Received>> byTrace = spans.stream().collect(Collectors.groupingBy(
                s -> hex(s.span().getTraceId().toByteArray())));
        byTrace.values().forEach(trace -> {
            List<OtlpReceiver.Received> roots = trace.stream().filter(s -> s.span().getParentSpanId().isEmpty()).toList();
            assertThat(roots).as("one root per trace").hasSize(1);
            assertThat(roots.get(0).name()).isEqualTo("tunnel");
            trace.stream().filter(s -> s != roots.get(0)).forEach(child -> assertThat(child.span().getParentSpanId())
                    .as(child.name() + "'s parent").isEqualTo(roots.get(0).span().getSpanId()));
        });
        return byTrace;
    }

    private static OtlpReceiver.Received root(List<OtlpReceiver.Received> trace) {
        return trace.stream().filter(s -> s.name().equals("tunnel")).findFirst().orElseThrow();
    }

    private static List<String> names(List<OtlpReceiver.Received> trace) {
        return trace.stream().filter(s -> !s.name().equals("tunnel"))
                .sorted((x, y) -> Long.compare(x.span().getStartTimeUnixNano(), y.span().getStartTimeUnixNano()))
                .map(OtlpReceiver.Received::name).toList();
    }

    private static List<OtlpReceiver.Received> traceWithStatus(Map<String, List<OtlpReceiver.Received>> traces,
            String status) {
        List<List<OtlpReceiver.Received>> found = traces.values().stream()
                .filter(t -> status.equals(root(t).attribute("http.response.status_code"))).toList();
        assertThat(found).as("traces answered " + status).hasSize(1);
        return found.get(0);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    @Test
    void eachStageIsASpanAtBothProxiesAndNoSpanNamesTheUserOrTheDestination() throws Exception {
        try (OtlpReceiver atA = new OtlpReceiver(); OtlpReceiver atB = new OtlpReceiver()) {
            DoubleHopFixture fx = new DoubleHopFixture(tracing(atA, 1.0), "{file: users.txt}", tracing(atB, 1.0), 0, 0);
            String destination;
            try {
                destination = fx.destination();
                assertThat(curl(fx, "alice:wonderland", destination)).isZero();
                assertThat(curl(fx, "alice:not-the-password", destination)).isNotZero();   // 403 at A
                assertThat(curl(fx, "alice:wonderland", PROHIBITED)).isNotZero();          // 502 at B
            } finally {
                closeWhenIdle(fx);
            }

            Map<String, List<OtlpReceiver.Received>> a = traces(atA, "proxy-a");
            Map<String, List<OtlpReceiver.Received>> b = traces(atB, "proxy-b");
            assertThat(a).hasSize(3);
            assertThat(b).as("the refusal at A never reached B").hasSize(2);
            assertThat(a.keySet()).as("no trace id shared: A never sends its trace context to B")
                    .doesNotContainAnyElementsOf(b.keySet());

            List<OtlpReceiver.Received> aOk = traceWithStatus(a, "200");
            assertThat(names(aOk)).containsExactly("parse", "authenticate", "admit", "locate-sign", "connect-b",
                    "confirm", "relay");
            OtlpReceiver.Received aOkRoot = root(aOk);
            assertThat(aOkRoot.span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
            assertThat(aOkRoot.attribute("proxy.flow")).isEqualTo("forward");
            assertThat(aOkRoot.attribute("proxy.method")).isEqualTo("connect");
            assertThat(aOkRoot.attribute("proxy.protocol")).isEqualTo("h1");
            assertThat(aOkRoot.attribute("proxy.located")).isEqualTo("true");
            assertThat(aOkRoot.attribute("proxy.caller")).isEqualTo("basic");
            assertThat(Long.parseLong(aOkRoot.attribute("proxy.bytes_to_client"))).isPositive();

            List<OtlpReceiver.Received> aDenied = traceWithStatus(a, "403");
            assertThat(names(aDenied)).containsExactly("parse", "authenticate");
            assertThat(root(aDenied).span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
            assertThat(root(aDenied).attribute("proxy.error")).isEqualTo("http_request_denied");
            assertThat(aDenied.stream().filter(s -> s.name().equals("authenticate")).findFirst().orElseThrow()
                    .span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);

            List<OtlpReceiver.Received> aPassedBack = traceWithStatus(a, "502");
            assertThat(root(aPassedBack).span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
            assertThat(root(aPassedBack).attribute("proxy.error")).isEqualTo("next_hop_refused");

            List<OtlpReceiver.Received> bOk = traceWithStatus(b, "200");
            assertThat(names(bOk)).containsExactly("parse", "authenticate", "verify-geohash", "select-egress", "limit",
                    "resolve", "dial", "confirm", "relay");
            assertThat(root(bOk).attribute("proxy.pool")).isEqualTo("tokyo");
            assertThat(root(bOk).attribute("proxy.caller")).isEqualTo("mtls");
            assertThat(root(bOk).attribute("proxy.geohash.signed")).isEqualTo("true");

            List<OtlpReceiver.Received> bProhibited = traceWithStatus(b, "502");
            assertThat(names(bProhibited)).containsExactly("parse", "authenticate", "verify-geohash", "select-egress",
                    "limit", "resolve");
            assertThat(root(bProhibited).attribute("proxy.error")).isEqualTo("destination_ip_prohibited");
            assertThat(bProhibited.stream().filter(s -> s.name().equals("resolve")).findFirst().orElseThrow()
                    .span().getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);

            // Privacy: neither the bytes on the wire nor any decoded name or value carries who or where.
            String port = destination.substring(destination.indexOf(':') + 1);
            List<String> secrets = List.of("alice", "wonderland", "not-the-password",
                    Base64.getEncoder().encodeToString("alice:wonderland".getBytes(StandardCharsets.US_ASCII)),
                    "127.0.0.", port, "xn7");
            for (OtlpReceiver receiver : List.of(atA, atB)) {
                for (byte[] body : receiver.bodies) {
                    String wire = new String(body, StandardCharsets.ISO_8859_1);
                    secrets.forEach(s -> assertThat(wire).as("export body").doesNotContain(s));
                }
                for (OtlpReceiver.Received s : receiver.spans()) {
                    List<String> texts = new ArrayList<>(List.of(s.name(), s.span().getStatus().getMessage()));
                    s.span().getAttributesList().forEach(kv -> texts.add(kv.getKey() + "=" + kv.getValue()));
                    s.span().getEventsList().forEach(e -> texts.add(e.toString()));
                    texts.forEach(t -> secrets.forEach(secret -> assertThat(t).doesNotContain(secret)));
                    assertThat(s.span().getAttributesList()).noneSatisfy(kv -> assertThat(kv.getKey())
                            .isIn(Set.of("user.name", "client.address", "server.address", "server.port",
                                    "proxy.egress.address", "proxy.geohash")));
                }
            }
        }
    }

    @Test
    void withLogSensitiveDataTheTraceNamesUserClientAndDestination() throws Exception {
        try (OtlpReceiver atA = new OtlpReceiver(); OtlpReceiver atB = new OtlpReceiver()) {
            String sensitive = "logging: {log-sensitive-data: true}\n";
            DoubleHopFixture fx = new DoubleHopFixture(tracing(atA, 1.0) + sensitive, "{file: users.txt}",
                    tracing(atB, 1.0) + sensitive, 0, 0);
            String destination;
            try {
                destination = fx.destination();
                assertThat(curl(fx, "alice:wonderland", destination)).isZero();
            } finally {
                closeWhenIdle(fx);
            }
            OtlpReceiver.Received aRoot = root(traces(atA, "proxy-a").values().iterator().next());
            assertThat(aRoot.attribute("user.name")).isEqualTo("alice");
            assertThat(aRoot.attribute("client.address")).isEqualTo(OK_CLIENT);
            assertThat(aRoot.attribute("server.address") + ":" + aRoot.attribute("server.port")).isEqualTo(destination);
            OtlpReceiver.Received bRoot = root(traces(atB, "proxy-b").values().iterator().next());
            assertThat(bRoot.attribute("server.address") + ":" + bRoot.attribute("server.port")).isEqualTo(destination);
            assertThat(bRoot.attribute("proxy.egress.address")).isEqualTo("127.0.0.2");
            assertThat(bRoot.attribute("user.name")).as("B never knows the user").isNull();
        }
    }

    @Test
    void withSampleRatioZeroNothingIsExported() throws Exception {
        try (OtlpReceiver atA = new OtlpReceiver(); OtlpReceiver atB = new OtlpReceiver()) {
            DoubleHopFixture fx = new DoubleHopFixture(tracing(atA, 0.0), "{file: users.txt}", tracing(atB, 0.0), 0, 0);
            try {
                assertThat(curl(fx, "alice:wonderland", fx.destination())).isZero();
                assertThat(curl(fx, "alice:not-the-password", fx.destination())).isNotZero();
            } finally {
                closeWhenIdle(fx);
            }
            assertThat(atA.spans()).isEmpty();
            assertThat(atB.spans()).isEmpty();
        }
    }
}
