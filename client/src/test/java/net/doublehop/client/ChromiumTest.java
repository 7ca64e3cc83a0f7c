package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.pki.DevPki;
import net.doublehop.proxya.DoubleHopFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real browser through the pair: headless Chromium (Debian's package, scripts/install-test-deps.sh) with
 * {@code --proxy-server=socks5://…} to the local client loads an HTTPS page from a loopback destination, in forward
 * and in oblivious mode. The page shows the address the destination saw: B's egress for the client's location
 * (the client reaches A from 127.0.0.10, Tokyo in A's demo table, so B's Tokyo pool, 127.0.0.2).
 */
class ChromiumTest {

    private static DoubleHopFixture fx;
    private static HttpServer page;
    private static String pageSpki;
    private static final List<LocalClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")),
                "chromium not installed (scripts/install-test-deps.sh installs it)");
        fx = new DoubleHopFixture("mode: both\ntls: {certificate: b.crt, private-key: b.key}\n", "{file: users.txt}",
                "auth: {preshared-keys: [" + ObliviousClientTest.B_KEY + "]}\n", 0, 0);
        DevPki.Issued cert = fx.pki.server("destination", List.of("localhost"), List.of("127.0.0.1"));
        DevPki.PemFiles files = cert.writeTo(fx.dir, "destination");
        // Chromium is told to accept exactly this key (the page's TLS is end to end, browser to destination)
        pageSpki = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(cert.certificate().getPublicKey().getEncoded()));
        page = fx.vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(files.certificate().toString()).setKeyPath(files.privateKey().toString())))
                .requestHandler(req -> req.response().putHeader("content-type", "text/html; charset=utf-8")
                        .end("<!doctype html><html><head><title>doublehop</title></head><body><p id=seen>seen-from="
                                + req.remoteAddress().hostAddress() + "</p></body></html>"))
                .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        for (LocalClient c : clients) {
            c.stop().await(10, TimeUnit.SECONDS);
        }
        if (fx != null) {
            fx.close();
        }
    }

    @ParameterizedTest(name = "{0} mode")
    @ValueSource(strings = {"forward", "oblivious"})
    void chromiumLoadsAnHttpsPageThroughTheClient(String mode) throws Exception {
        List<String> args = new ArrayList<>(List.of("--mode", mode, "--proxy-a", "https://127.0.0.1:" + fx.a.port(),
                "--cacert", fx.dir.resolve("ca.crt").toString(),
                "--user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD,
                "--source-address", "127.0.0.10", "--socks", "127.0.0.1:0", "--http", "none"));
        if (mode.equals("oblivious")) {
            args.addAll(List.of("--proxy-b", "https://127.0.0.1:" + fx.bPort, "--b-psk", ObliviousClientTest.B_KEY));
        }
        LocalClient client = LocalClient.start(fx.vertx, ClientOptions.parse(args.toArray(String[]::new)))
                .await(30, TimeUnit.SECONDS);
        clients.add(client);
        String dom = chromium(client.socksPort(), "https://127.0.0.1:" + page.actualPort() + "/");
        assertThat(dom).contains("<title>doublehop</title>").contains("seen-from=127.0.0.2<");
    }

    /** Headless Chromium's DOM of {@code url}, loaded through the SOCKS5 proxy (even for loopback). */
    static String chromium(int socksPort, String url) throws Exception {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> cmd = List.of("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--proxy-server=socks5://127.0.0.1:" + socksPort,
                // Chromium bypasses proxies for loopback unless told otherwise
                "--proxy-bypass-list=<-loopback>", "--ignore-certificate-errors-spki-list=" + pageSpki,
                "--virtual-time-budget=10000", "--dump-dom", url);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
