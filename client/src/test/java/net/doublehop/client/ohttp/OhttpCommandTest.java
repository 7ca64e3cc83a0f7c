package net.doublehop.client.ohttp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.gateway.GatewayCommand;
import net.doublehop.proxya.gateway.GatewayService;
import net.doublehop.proxyb.ohttp.RelayConfigReader;
import net.doublehop.proxyb.ohttp.RelayService;
import net.doublehop.runtime.config.YamlNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code client.jar ohttp} through a real relay (Proxy B's) and gateway (Proxy A's) to a destination. */
class OhttpCommandTest {

    private static Vertx vertx;
    private static GatewayService gateway;
    private static RelayService relay;
    private static final ConcurrentLinkedQueue<String> destinationSaw = new ConcurrentLinkedQueue<>();
    private static String relayUrl;
    private static String keysUrl;
    private static int destinationPort;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        destinationPort = vertx.createHttpServer().requestHandler(req -> {
            destinationSaw.add(req.method() + " " + req.uri() + " x-test=" + req.getHeader("x-test"));
            req.response().end("Hello. You reached me from " + req.remoteAddress().hostAddress());
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
        gateway = new GatewayService(GatewayCommand.parse("""
                gateway:
                  listen: 127.0.0.1:0
                  tls: none
                  allowed-targets: [http://127.0.0.1:%d]
                """.formatted(destinationPort), Path.of(".")).gateway(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
        gateway.start(vertx, null).await(10, TimeUnit.SECONDS);
        relay = new RelayService(RelayConfigReader.read(YamlNodes.parseRoot("""
                ohttp-relay:
                  listen: 127.0.0.1:0
                  tls: none
                  routes: [{path: /relay/demo, gateway: "http://127.0.0.1:%d/gateway"}]
                """.formatted(gateway.port())).get("ohttp-relay"), Path::of).orElseThrow(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        relay.start(vertx, null).await(10, TimeUnit.SECONDS);
        relayUrl = "http://127.0.0.1:" + relay.port() + "/relay/demo";
        keysUrl = "http://127.0.0.1:" + gateway.port() + "/ohttp-keys";
    }

    @AfterAll
    static void stop() throws Exception {
        relay.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        gateway.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void printsTheDecryptedAnswer() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = OhttpCommand.run(new String[] {"--relay", relayUrl, "--keys", keysUrl, "-i", "-H", "X-Test: 1",
            "GET", "http://127.0.0.1:" + destinationPort + "/path?q"}, new PrintStream(out, true),
                new PrintStream(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("200\n").endsWith("You reached me from 127.0.0.1");
        assertThat(destinationSaw).contains("GET /path?q x-test=1");
    }

    @Test
    void sendsADateAndRetriesOnceWithTheGatewaysWhenItIsRefused() throws Exception {
        // a gateway that requires a Date within a minute of its clock (RFC 9458 section 6.5.1), posted to directly
        GatewayService dated = new GatewayService(GatewayCommand.parse("""
                gateway:
                  listen: 127.0.0.1:0
                  tls: none
                  allowed-targets: [http://127.0.0.1:%d]
                  replay: {window: 2m, date-skew: 1m, require-date: true}
                """.formatted(destinationPort), Path.of(".")).gateway(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
        dated.start(vertx, null).await(10, TimeUnit.SECONDS);
        try {
            String base = "http://127.0.0.1:" + dated.port();
            String target = "http://127.0.0.1:" + destinationPort;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(OhttpCommand.run(new String[] {"--relay", base + "/gateway", "--keys", base + "/ohttp-keys",
                "GET", target + "/dated"}, new PrintStream(out, true), new PrintStream(err, true)))
                    .as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("Hello.");

            String hourAgo = "Mon, 07 Feb 2022 00:28:05 GMT";
            out.reset();
            assertThat(OhttpCommand.run(new String[] {"--relay", base + "/gateway", "--keys", base + "/ohttp-keys",
                "-H", "Date: " + hourAgo, "-H", "X-Test: stale", "GET", target + "/stale"},
                    new PrintStream(out, true), new PrintStream(err, true))).as(err.toString()).isZero();
            assertThat(out.toString()).startsWith("Hello."); // refused, then retried with the gateway's Date
            assertThat(destinationSaw).containsOnlyOnce("GET /stale x-test=stale");

            out.reset();
            assertThat(OhttpCommand.run(new String[] {"--relay", base + "/gateway", "--keys", base + "/ohttp-keys",
                "--no-date", "-i", "GET", target + "/undated"}, new PrintStream(out, true),
                    new PrintStream(err, true))).isZero();
            assertThat(out.toString()).startsWith("400\n").contains("http-problem-types#date");
            assertThat(destinationSaw).noneMatch(s -> s.startsWith("GET /undated"));
        } finally {
            dated.stop(Duration.ZERO).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void refusalsAndUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int refused = OhttpCommand.run(new String[] {"--relay", relayUrl.replace("/relay/demo", "/nowhere"), "--keys",
            keysUrl, "GET", "http://127.0.0.1:" + destinationPort + "/"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true));
        assertThat(refused).isEqualTo(1);
        assertThat(err.toString()).contains("404");
        assertThat(OhttpCommand.run(new String[] {"GET"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()))).isEqualTo(2);
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        assertThat(OhttpCommand.run(new String[] {"--help"}, new PrintStream(help, true),
                new PrintStream(new ByteArrayOutputStream()))).isZero();
        assertThat(help.toString()).startsWith("Usage: java -jar client.jar ohttp");
    }
}
