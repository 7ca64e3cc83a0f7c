package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import net.doublehop.protocol.pki.DevPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every workload against an in-process {@code serve} on a loopback ephemeral port: straight (--direct), through a
 * plain HTTP/1.1 CONNECT proxy, and through a TLS proxy speaking HTTP/2 (and HTTP/1.1) with mTLS. Short runs.
 */
class WorkloadsTest {

    @TempDir
    static Path dir;

    static SourceServer serve;
    static String target;
    static TestProxy plainProxy;
    static TestProxy tlsProxy;
    static Path ca;
    static DevPki.PemFiles clientCert;

    @BeforeAll
    static void start() throws Exception {
        serve = SourceServer.start("127.0.0.1", 0, 1);
        target = "127.0.0.1:" + serve.port();
        plainProxy = TestProxy.plain("Basic " + Base64.getEncoder().encodeToString("alice:wonderland".getBytes()));
        DevPki pki = DevPki.create("loadgen test CA");
        DevPki.PemFiles server = pki.server("localhost", List.of("localhost"), List.of("127.0.0.1")).writeTo(dir, "server");
        clientCert = pki.client("loadgen test client").writeTo(dir, "client");
        ca = dir.resolve("ca.crt");
        Files.writeString(ca, pki.ca().certificatePem());
        tlsProxy = TestProxy.tls(server.certificate(), server.privateKey(), ca);
    }

    @AfterAll
    static void stop() throws Exception {
        if (plainProxy != null) {
            plainProxy.close();
        }
        if (tlsProxy != null) {
            tlsProxy.close();
        }
        if (serve != null) {
            serve.close();
        }
    }

    record Run(int code, String out, String err, JsonObject json, Path html) { }

    static Run run(String... args) throws Exception {
        return runIn(dir, args);
    }

    static Run runIn(Path dir, String... args) throws Exception {
        Path json = Files.createTempFile(dir, "report", ".json");
        Path html = Files.createTempFile(dir, "report", ".html");
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--json", json.toString(), "--html", html.toString(), "--threads", "1"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(argv.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        System.out.print(o); // the summary, for the test log
        JsonObject j = Files.size(json) > 0 ? new JsonObject(Files.readString(json)) : null;
        return new Run(code, o, e, j, html);
    }

    private static String[] tlsArgs(String version) {
        return new String[] {"--proxy", "https://127.0.0.1:" + tlsProxy.port(), "--proxy-version", version,
            "--proxy-cacert", ca.toString(), "--proxy-cert", clientCert.certificate().toString(),
            "--proxy-key", clientCert.privateKey().toString(), "--target", target};
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void directBulkReportsThroughputSeriesJsonAndHtml() throws Exception {
        Run r = run("--direct", "--target", target, "--workload", "bulk", "--tunnels", "2", "--duration", "1200ms");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("loadgen bulk direct").contains("MB/s").contains("per tunnel");
        assertThat(r.err()).as("progress line rewritten with CR").contains("\r").contains("tunnels open");
        JsonObject j = r.json();
        assertThat(j.getString("tool")).isEqualTo("loadgen");
        assertThat(j.getJsonObject("options").getString("workload")).isEqualTo("bulk");
        assertThat(j.getJsonObject("options").getInteger("tunnels")).isEqualTo(2);
        JsonObject totals = j.getJsonObject("totals");
        assertThat(totals.getLong("bytesReceived")).isPositive();
        assertThat(totals.getDouble("mbps")).isPositive();
        assertThat(totals.getJsonObject("mbpsPerTunnel").getJsonArray("each")).hasSize(2);
        assertThat(totals.getLong("errors")).isZero();
        JsonArray series = j.getJsonArray("series");
        assertThat(series.size()).isBetween(2, 3);
        JsonObject first = series.getJsonObject(0);
        assertThat(first.fieldNames()).contains("t", "bytes", "mbps", "opsPerSec", "tunnelsOpen", "errors");
        assertThat(series.stream().mapToLong(s -> ((JsonObject) s).getLong("bytes")).sum())
                .isEqualTo(totals.getLong("bytesReceived"));
        JsonObject open = j.getJsonObject("latency").getJsonObject("tunnelOpen");
        assertThat(open.getString("unit")).isEqualTo("us");
        assertThat(open.getJsonObject("percentiles").fieldNames()).contains("p50", "p90", "p99", "max");
        assertThat(open.getJsonArray("buckets").getJsonObject(0).fieldNames()).containsExactly("from", "to", "count");
        String html = Files.readString(r.html());
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("<polyline").contains("MB/s received")
                .doesNotContain("<script").doesNotContain("<link").doesNotContain("src=");
    }

    @Test
    void directBulkWithBytesAndCountReplacesFinishedDownloads() throws Exception {
        Run r = run("--direct", "--target", target, "--workload", "bulk", "--tunnels", "2", "--bytes", "1M",
                "--count", "5", "--duration", "10s");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject totals = r.json().getJsonObject("totals");
        assertThat(totals.getLong("downloadsCompleted")).isEqualTo(5);
        assertThat(totals.getLong("bytesReceived")).isEqualTo(5L << 20);
        assertThat(totals.getDouble("seconds")).as("count ends the run before the duration").isLessThan(5);
    }

    @Test
    void directSetupMeasuresEachSetup() throws Exception {
        Run r = run("--direct", "--target", target, "--workload", "setup", "--count", "20", "--duration", "5s");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.json().getJsonObject("totals").getLong("setups")).isEqualTo(20);
        JsonObject setup = r.json().getJsonObject("latency").getJsonObject("setup");
        assertThat(setup.getLong("count")).isEqualTo(20);
        assertThat(setup.getJsonObject("percentiles").getLong("p50")).isPositive();
        assertThat(r.out()).contains("full setup   p50");
        assertThat(Files.readString(r.html())).contains("<svg").contains("<rect");
    }

    @Test
    void directRpsCountsRoundTrips() throws Exception {
        Run r = run("--direct", "--target", target, "--workload", "rps", "--tunnels", "4", "--count", "2000",
                "--request-size", "100", "--response-size", "1k", "--duration", "10s");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject totals = r.json().getJsonObject("totals");
        assertThat(totals.getLong("requests")).isEqualTo(2000);
        assertThat(totals.getLong("bytesReceived")).isEqualTo(2000L * 1024);
        assertThat(totals.getLong("bytesSent")).isEqualTo(2000L * 100);
        assertThat(r.json().getJsonObject("latency").getJsonObject("roundTrip").getLong("count")).isEqualTo(2000);
        assertThat(r.out()).contains("req/s");
    }

    @Test
    void warmupIsRunButNotMeasured() throws Exception {
        Run r = run("--direct", "--target", target, "--workload", "rps", "--tunnels", "2", "--warmup", "500ms",
                "--count", "1000", "--duration", "10s");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).contains("warm-up");
        assertThat(r.out()).contains("after 500 ms of warm-up");
        assertThat(r.json().getJsonObject("options").getLong("warmupMs")).isEqualTo(500);
        // extended while the generator's JIT was busy, a second at a time, at most 10 s
        long extended = r.json().getJsonObject("totals").getLong("warmupExtendedMs");
        assertThat(extended % 1000).isZero();
        assertThat(extended).isBetween(0L, 10_000L);
        if (extended > 0) {
            assertThat(r.out()).contains("more until the generator's JIT compiler settled");
        }
        // Round trips under way when the warm-up ends are counted once: the count is met to within them.
        assertThat(r.json().getJsonObject("totals").getLong("requests")).isBetween(995L, 1005L);
        assertThat(r.json().getJsonObject("latency").getJsonObject("roundTrip").getLong("count")).isBetween(995L, 1005L);
    }

    @Test
    void noJitSettleEndsTheWarmupOnTime() throws Exception {
        long t0 = System.nanoTime();
        Run r = run("--direct", "--target", target, "--workload", "rps", "--tunnels", "1", "--warmup", "300ms",
                "--no-jit-settle", "--duration", "300ms");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.json().getJsonObject("options").getBoolean("jitSettle")).isFalse();
        assertThat(r.json().getJsonObject("totals").containsKey("warmupExtendedMs")).isFalse();
        assertThat(r.out()).doesNotContain("JIT");
        assertThat(System.nanoTime() - t0).isLessThan(8_000_000_000L);
    }

    @Test
    void directIdleHoldsTunnelsAndReadsRss() throws Exception {
        long self = ProcessHandle.current().pid();
        Run r = run("--direct", "--target", target, "--workload", "idle", "--tunnels", "50", "--concurrency", "8",
                "--duration", "1s", "--pids", Long.toString(self));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject totals = r.json().getJsonObject("totals");
        assertThat(totals.getInteger("tunnelsHeld")).isEqualTo(50);
        JsonObject proc = totals.getJsonArray("processes").getJsonObject(0);
        assertThat(proc.getLong("pid")).isEqualTo(self);
        assertThat(proc.getLong("rssKiBBefore")).isPositive();
        assertThat(proc.getValue("growthKiBPerTunnel")).isNotNull();
        assertThat(r.out()).contains("held         50 of 50 tunnels").contains("KiB per tunnel");
        assertThat(totals.getJsonObject("cpu").getValue("unit")).as("idle has no unit of work").isNull();
        assertThat(totals.getJsonObject("cpu").getJsonArray("processes").getJsonObject(0).getLong("pid")).isEqualTo(self);
    }

    @Test
    void everyWorkloadReportsTheCpuOfPidsAndOfTheGeneratorOverTheMeasuredWindow() throws Exception {
        long self = ProcessHandle.current().pid();
        Run r = run("--direct", "--target", target, "--workload", "rps", "--tunnels", "2", "--warmup", "300ms",
                "--no-jit-settle", "--duration", "1s", "--pids", Long.toString(self));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        JsonObject cpu = r.json().getJsonObject("totals").getJsonObject("cpu");
        assertThat(cpu.getDouble("windowSeconds")).as("the measured second, not the warm-up").isBetween(0.9, 5.0);
        assertThat(cpu.getString("unit")).isEqualTo("1,000 requests");
        long requests = r.json().getJsonObject("totals").getLong("requests");
        assertThat(cpu.getDouble("units")).isPositive().isLessThanOrEqualTo(requests / 1000.0 + 0.001);
        JsonObject proc = cpu.getJsonArray("processes").getJsonObject(0);
        assertThat(proc.getLong("pid")).isEqualTo(self);
        assertThat(proc.getDouble("cpuSeconds")).isNotNegative();
        assertThat(proc.getDouble("msPerUnit")).isNotNull();
        // the generator runs in this JVM here, so it is the listed process too (read at slightly different moments)
        assertThat(cpu.getJsonObject("generator").getLong("pid")).isEqualTo(self);
        assertThat(cpu.getJsonObject("listed").getDouble("cpuSeconds")).isEqualTo(proc.getDouble("cpuSeconds"));
        assertThat(r.out()).contains("CPU          over the measured").contains("ms per 1,000 requests")
                .contains("pid " + self).contains("generator");

        Run bulk = run("--direct", "--target", target, "--workload", "bulk", "--duration", "500ms");
        assertThat(bulk.code()).as(bulk.out() + bulk.err()).isZero();
        JsonObject bcpu = bulk.json().getJsonObject("totals").getJsonObject("cpu");
        assertThat(bcpu.getString("unit")).isEqualTo("MB");
        assertThat(bcpu.getJsonArray("processes")).isEmpty();
        assertThat(bcpu.getValue("listed")).as("no --pids").isNull();
        assertThat(bcpu.getJsonObject("generator").getDouble("msPerUnit")).isNotNull();
    }

    @Test
    void h1ProxyWithBasicAuthAndHeaders() throws Exception {
        String proxy = "http://127.0.0.1:" + plainProxy.port();
        Run bulk = run("--proxy", proxy, "--proxy-user", "alice:wonderland", "--proxy-header", "X-Loadgen-Test: yes",
                "--target", target, "--workload", "bulk", "--tunnels", "2", "--bytes", "2M", "--count", "2",
                "--duration", "10s");
        assertThat(bulk.code()).as(bulk.out() + bulk.err()).isZero();
        assertThat(bulk.json().getJsonObject("totals").getLong("bytesReceived")).isEqualTo(4L << 20);
        assertThat(bulk.json().getJsonObject("latency").getJsonObject("connectAnswer").getLong("count")).isEqualTo(2);
        assertThat(plainProxy.seen).contains("HTTP_1_1 yes");

        Run rps = run("--proxy", proxy, "--proxy-user", "alice:wonderland", "--target", target, "--workload", "rps",
                "--tunnels", "2", "--count", "300", "--duration", "10s");
        assertThat(rps.code()).as(rps.out() + rps.err()).isZero();
        assertThat(rps.json().getJsonObject("totals").getLong("requests")).isEqualTo(300);
    }

    @Test
    void h1ProxyRefusingCredentialsIsAnErrorWithExitCode1() throws Exception {
        Run r = run("--proxy", "http://127.0.0.1:" + plainProxy.port(), "--proxy-user", "alice:wrong",
                "--target", target, "--workload", "bulk", "--duration", "1s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("407");
        assertThat(r.json().getJsonObject("errors").fieldNames()).anyMatch(k -> k.contains("407"));
        assertThat(r.json().getJsonObject("totals").getLong("tunnelsFailed")).isEqualTo(1);
    }

    @Test
    void h2ProxyOverMutualTls() throws Exception {
        Run bulk = run(concat(tlsArgs("h2"), "--workload", "bulk", "--tunnels", "3", "--bytes", "1M", "--count", "3",
                "--proxy-header", "X-Loadgen-Test: h2", "--duration", "10s"));
        assertThat(bulk.code()).as(bulk.out() + bulk.err()).isZero();
        assertThat(bulk.json().getJsonObject("totals").getLong("bytesReceived")).isEqualTo(3L << 20);
        assertThat(tlsProxy.seen).contains("HTTP_2 h2");

        Run setup = run(concat(tlsArgs("h2"), "--workload", "setup", "--count", "5", "--duration", "10s"));
        assertThat(setup.code()).as(setup.out() + setup.err()).isZero();
        assertThat(setup.json().getJsonObject("latency").getJsonObject("connectAnswer").getLong("count")).isEqualTo(5);
        assertThat(setup.out()).contains("CONNECT      answer p50");

        int connectionsBefore = tlsProxy.connections.get();
        Run idle = run(concat(tlsArgs("h2"), "--workload", "idle", "--tunnels", "20", "--h2-connections", "2",
                "--duration", "800ms"));
        assertThat(idle.code()).as(idle.out() + idle.err()).isZero();
        assertThat(idle.json().getJsonObject("totals").getInteger("tunnelsHeld")).isEqualTo(20);
        assertThat(tlsProxy.connections.get() - connectionsBefore).as("20 streams on 2 connections").isEqualTo(2);
    }

    @Test
    void h1OverTlsAndAnUntrustedProxyCertificate() throws Exception {
        Run rps = run(concat(tlsArgs("h1"), "--workload", "rps", "--tunnels", "2", "--count", "100", "--duration", "10s"));
        assertThat(rps.code()).as(rps.out() + rps.err()).isZero();
        assertThat(tlsProxy.seen).contains("HTTP_1_1 null");

        // Without --proxy-cacert the JDK trust store does not know the test CA.
        Run untrusted = run("--proxy", "https://127.0.0.1:" + tlsProxy.port(), "--target", target,
                "--proxy-cert", clientCert.certificate().toString(), "--proxy-key", clientCert.privateKey().toString(),
                "--workload", "setup", "--count", "1", "--duration", "1s");
        assertThat(untrusted.code()).isEqualTo(1);
        assertThat(untrusted.json().getJsonObject("errors").encode()).containsIgnoringCase("certification path");
    }

    @Test
    void refusedConnectionsAreCountedAndExitCodeIs1() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Run r = run("--direct", "--target", "127.0.0.1:" + closed, "--workload", "rps", "--tunnels", "2",
                "--duration", "1s");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.json().getJsonObject("totals").getLong("errors")).isEqualTo(2);
        assertThat(r.out()).contains("refused");
    }
}
