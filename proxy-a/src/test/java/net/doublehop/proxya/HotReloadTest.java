package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxyb.config.ProxyBConfig;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.runtime.config.YamlNodes;
import net.doublehop.runtime.service.ConfigReloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hot reload at both proxies, the whole forward double hop on loopback: tunnels opened before a reload keep moving
 * bytes (from the egress address they started with) while new requests follow the new configuration: a removed
 * user is refused, an added one admitted, and new tunnels leave from the new pool address. An invalid users file or
 * pool is refused and the running configuration keeps working.
 */
class HotReloadTest {

    /** A client at this address is located in Tokyo by A's demo table: B's tokyo pool. */
    private static final String TOKYO_CLIENT = "127.0.0.10";

    private DoubleHopFixture fx;
    /** The proxies' log lines while a test runs, as "logger: message". */
    private final List<String> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.logging.Handler logCapture = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord r) {
            logs.add(r.getLoggerName() + ": " + new java.util.logging.SimpleFormatter().formatMessage(r));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private ConfigReloads<ProxyAConfig> reloadsA;
    private ConfigReloads<ProxyBConfig> reloadsB;

    @BeforeEach
    void start() throws Exception {
        java.util.logging.Logger.getLogger("").addHandler(logCapture);
        fx = new DoubleHopFixture("limits: {tunnels-per-second-per-user: 1000}\n");
        reloadsA = new ConfigReloads<>(fx.vertx, fx.a.metrics(), "proxy-a", fx.aConfigFile(), fx.a.config(),
                fx.a.reloadable());
        // B's reloads come from its file watch (start()): the same path a file change takes in production.
        reloadsB = new ConfigReloads<>(fx.vertx, fx.b.metrics(), "proxy-b", fx.bConfigFile(), fx.b.config(),
                fx.b.reloadable()).start();
    }

    @AfterEach
    void stop() throws Exception {
        reloadsA.close();
        reloadsB.close();
        fx.close();
        java.util.logging.Logger.getLogger("").removeHandler(logCapture);
    }

    private static String basic(String user) {
        return "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    private RawProxyClient connect(String user) throws Exception {
        RawProxyClient c = new RawProxyClient(fx.a.port(), true, TOKYO_CLIENT);
        c.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + basic(user) + "\r\n");
        return c;
    }

    /** One HTTP exchange with the destination through the tunnel; returns the address it saw us come from. */
    private static String egressOf(RawProxyClient c) throws Exception {
        c.send("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf("seen-from=") < 0 || sb.charAt(sb.length() - 1) != ' ') {
            int b = c.input().read();
            assertThat(b).as("the tunnel ended: " + sb).isNotNegative();
            sb.append((char) b);
        }
        return sb.substring(sb.indexOf("seen-from=") + "seen-from=".length()).strip();
    }

    /** Replaces a file whole (a rename, as editors and Kubernetes do), so the file watch never reads half of it. */
    private static void replace(Path file, String content) throws Exception {
        Path tmp = Files.writeString(file.resolveSibling(file.getFileName() + ".new"), content);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private String passwordHash() throws Exception {
        String line = Files.readString(fx.dir.resolve("users.txt")).strip();
        return line.substring(line.indexOf(':') + 1);
    }

    private double reloads(int adminPort, String result) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : body.split("\n")) {
            if (line.startsWith("privacy_proxy_config_reloads_total{") && line.contains("result=\"" + result + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** Waits (up to 30 s) for B's file watch to have counted {@code n} reloads with {@code result}. */
    private void awaitReloadAtB(String result, double n) throws Exception {
        for (int i = 0; i < 300 && reloads(fx.b.adminPort(), result) < n; i++) {
            Thread.sleep(100);
        }
        assertThat(reloads(fx.b.adminPort(), result)).as("B's reloads " + result).isEqualTo(n);
    }

    @Test
    void openTunnelsKeepMovingBytesWhileNewRequestsFollowTheNewUsersAndPools() throws Exception {
        String hash = passwordHash();
        List<RawProxyClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawProxyClient c = connect(DoubleHopFixture.USER);
                assertThat(c.readHead().status()).isEqualTo(200);
                assertThat(egressOf(c)).isEqualTo("127.0.0.2"); // B's tokyo pool
                open.add(c);
            }
            try (RawProxyClient bob = connect("bob")) {
                assertThat(bob.readHead().status()).isEqualTo(403);
            }

            // alice leaves, bob arrives (same password hash, so the test needs no bcrypt of its own) ...
            replace(fx.dir.resolve("users.txt"), "bob:" + hash + "\n");
            assertThat(reloadsA.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo(ConfigReloads.APPLIED);
            // ... and Tokyo's pool moves to another address; B sees its config file change
            Path bConfig = fx.bConfigFile();
            replace(bConfig, Files.readString(bConfig).replace("addresses: [127.0.0.2]",
                    "addresses: [127.0.0.4]"));
            awaitReloadAtB(ConfigReloads.APPLIED, 1);

            for (RawProxyClient c : open) {
                // opened before the reloads: still moving bytes, from the address they were dialled from
                assertThat(egressOf(c)).isEqualTo("127.0.0.2");
            }
            try (RawProxyClient alice = connect(DoubleHopFixture.USER)) {
                assertThat(alice.readHead().status()).isEqualTo(403);
            }
            try (RawProxyClient bob = connect("bob")) {
                assertThat(bob.readHead().status()).isEqualTo(200);
                assertThat(egressOf(bob)).isEqualTo("127.0.0.4");
            }
            assertThat(fx.b.config().pools().get(0).name()).isEqualTo("tokyo");
            assertThat(reloadsA.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo(ConfigReloads.UNCHANGED);
            for (RawProxyClient c : open) {
                assertThat(egressOf(c)).isEqualTo("127.0.0.2");
            }
            assertThat(reloads(fx.a.adminPort(), ConfigReloads.APPLIED)).isEqualTo(1);
            assertThat(reloads(fx.a.adminPort(), ConfigReloads.UNCHANGED)).isEqualTo(1);
        } finally {
            for (RawProxyClient c : open) {
                c.close();
            }
        }
    }

    @Test
    void anInvalidFileIsRefusedAndTheRunningConfigurationKeepsWorking() throws Exception {
        try (RawProxyClient before = connect(DoubleHopFixture.USER)) {
            assertThat(before.readHead().status()).isEqualTo(200);
            assertThat(egressOf(before)).isEqualTo("127.0.0.2");

            replace(fx.dir.resolve("users.txt"), "alice:not-a-hash\n");
            assertThat(reloadsA.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo(ConfigReloads.REFUSED);
            // a pool address this machine does not have: the bind test refuses it
            Path bConfig = fx.bConfigFile();
            replace(bConfig, Files.readString(bConfig).replace("addresses: [127.0.0.2]",
                    "addresses: [192.0.2.1]"));
            awaitReloadAtB(ConfigReloads.REFUSED, 1);
            // a JWKS that holds no key: refused too, at an explicit reload
            replace(fx.dir.resolve("a-keys.jwks"), "{\"keys\": []}");
            replace(bConfig, Files.readString(bConfig).replace("addresses: [192.0.2.1]",
                    "addresses: [127.0.0.2]"));
            assertThat(reloadsB.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo(ConfigReloads.REFUSED);

            assertThat(egressOf(before)).isEqualTo("127.0.0.2");
            try (RawProxyClient alice = connect(DoubleHopFixture.USER)) {
                assertThat(alice.readHead().status()).as("the running users and pools stay").isEqualTo(200);
                assertThat(egressOf(alice)).isEqualTo("127.0.0.2");
            }
            assertThat(reloads(fx.a.adminPort(), ConfigReloads.REFUSED)).isEqualTo(1);
            assertThat(logs).anyMatch(l -> l.startsWith("proxy-a: reload: configuration refused")
                    && l.contains("users.file") && l.contains(fx.dir.resolve("users.txt").toString()));
            assertThat(logs).anyMatch(l -> l.startsWith("proxy-b: reload: configuration refused")
                    && l.contains("egress pool 'tokyo'") && l.contains("192.0.2.1"));
            assertThat(logs).anyMatch(l -> l.startsWith("proxy-b: reload: configuration refused")
                    && l.contains("geohash.trusted-signers") && l.contains(fx.dir.resolve("a-keys.jwks").toString()));
            assertThat(reloads(fx.a.adminPort(), ConfigReloads.APPLIED)).isZero();
            assertThat(reloads(fx.b.adminPort(), ConfigReloads.APPLIED)).isZero();
        }
    }

    @Test
    void keysThatCannotChangeLiveAreNamedAndKeepTheirRunningValue() throws Exception {
        Path aConfig = fx.aConfigFile();
        replace(aConfig, Files.readString(aConfig).replace("connect-timeout: 2s", "connect-timeout: 3s")
                + "proxy-name: renamed\n");
        assertThat(reloadsA.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo(ConfigReloads.APPLIED);
        assertThat(logs).anyMatch(l -> l.startsWith("proxy-a: reload: changed, but needs a restart")
                && l.contains("proxy-name") && l.contains("upstream.connect-timeout"));
        assertThat(fx.a.config().proxyName()).as("proxy-name needs a restart").isEqualTo("proxy-a");
        assertThat(fx.a.config().upstream().connectTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
        try (RawProxyClient alice = connect(DoubleHopFixture.USER)) {
            RawProxyClient.Head head = alice.readHead();
            assertThat(head.status()).isEqualTo(200);
        }
    }

    /** The serial number of the certificate a new TLS connection to {@code port} is shown. */
    private static java.math.BigInteger servedCertificate(int port) throws Exception {
        try (RawProxyClient c = new RawProxyClient(port, true)) {
            return ((java.security.cert.X509Certificate) ((javax.net.ssl.SSLSocket) c.socket()).getSession()
                    .getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    void aRotatedCertificateIsServedToNewConnectionsWhileOpenTunnelsKeepTheirs() throws Exception {
        reloadsB.close(); // two files change here: reload once both are written, as SIGHUP would
        java.math.BigInteger before = servedCertificate(fx.bPort);
        try (RawProxyClient alice = connect(DoubleHopFixture.USER)) {
            assertThat(alice.readHead().status()).isEqualTo(200); // over A's pooled TLS connection to B
            fx.pki.server("proxy-b", List.of("localhost"), List.of("127.0.0.1")).writeTo(fx.dir, "b");
            assertThat(reloadsB.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo(ConfigReloads.APPLIED);
            java.math.BigInteger after = servedCertificate(fx.bPort);
            assertThat(after).isNotEqualTo(before);
            assertThat(egressOf(alice)).isEqualTo("127.0.0.2");
            try (RawProxyClient again = connect(DoubleHopFixture.USER)) {
                assertThat(again.readHead().status()).isEqualTo(200);
                assertThat(egressOf(again)).isEqualTo("127.0.0.2");
            }
            // a key that does not match the certificate is refused; the new certificate stays
            Files.copy(fx.dir.resolve("a-client.key"), fx.dir.resolve("b.key"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(reloadsB.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo(ConfigReloads.REFUSED);
            assertThat(logs).anyMatch(l -> l.startsWith("proxy-b: reload: configuration refused")
                    && l.contains("tls.private-key") && l.contains(fx.dir.resolve("b.key").toString()));
            assertThat(servedCertificate(fx.bPort)).isEqualTo(after);
        }
    }

    @Test
    void changedKeysNamesWhatNeedsARestartAndLeavesOutTheLiveOnes() {
        var old = YamlNodes.parseRoot("listen: 1.2.3.4:1\nusers: {file: a.txt}\nlimits: {max-tunnels: 5, idle-timeout: 5m}\n");
        var next = YamlNodes.parseRoot("listen: 1.2.3.4:1\nusers: {file: b.txt}\nlimits: {max-tunnels: 6, idle-timeout: 5m}\n"
                + "http3: true\n");
        assertThat(ConfigReloads.changedKeys(old, next, Set.of("users")))
                .containsExactly("http3", "limits.max-tunnels");
    }
}
