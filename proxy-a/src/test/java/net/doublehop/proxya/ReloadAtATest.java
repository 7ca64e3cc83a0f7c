package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.proxyb.it.RawProxyClient;
import net.doublehop.runtime.config.YamlNodes;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.service.ConfigReloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hot reload of A's users file: tunnels opened before keep moving bytes, new requests follow the new file (a removed
 * user is refused, an added one admitted); an unreadable file is refused and the running users stay.
 */
class ReloadAtATest {

    private static DoubleHopFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture("limits: {tunnels-per-second-per-user: 1000}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static String basic(String user) {
        return "Proxy-Authorization: Basic " + Base64.getEncoder().encodeToString(
                (user + ":" + DoubleHopFixture.PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    private static RawProxyClient connect(String user) throws Exception {
        RawProxyClient c = new RawProxyClient(fx.a.port(), true);
        c.send("CONNECT " + fx.destination() + " HTTP/1.1\r\nHost: x\r\n" + basic(user) + "\r\n");
        return c;
    }

    /** One HTTP exchange with the destination through the tunnel (it answers "seen-from=ADDRESS "). */
    private static void movesBytes(RawProxyClient c) throws Exception {
        c.send("GET / HTTP/1.1\r\nHost: d\r\n\r\n");
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf("seen-from=") < 0 || sb.charAt(sb.length() - 1) != ' ') {
            int b = c.input().read();
            assertThat(b).as("the tunnel ended: " + sb).isNotNegative();
            sb.append((char) b);
        }
    }

    @Test
    void openTunnelsKeepRunningAndNewRequestsFollowTheNewUsersFile() throws Exception {
        Path users = fx.dir.resolve("users.txt");
        String aliceLine = Files.readString(users).strip();
        String hash = aliceLine.substring(aliceLine.indexOf(':') + 1);
        ProxyMetrics metrics = fx.a.metrics();
        ConfigReloads reloads = new ConfigReloads(fx.vertx, metrics, "proxy-a", new ConfigReloads.Reloader() {
            @Override
            public List<String> reload() {
                fx.a.reloadUsers(fx.a.config());
                return List.of();
            }

            @Override
            public List<Path> watched() {
                return List.of(users);
            }
        });
        List<RawProxyClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawProxyClient c = connect(DoubleHopFixture.USER);
                assertThat(c.readHead().status()).isEqualTo(200);
                movesBytes(c);
                open.add(c);
            }
            assertThat(connect("bob").readHead().status()).isEqualTo(403);

            // alice leaves, bob arrives (same password hash, so the test needs no bcrypt of its own)
            Files.writeString(users, "bob:" + hash + "\n");
            assertThat(reloads.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo("applied");

            for (RawProxyClient c : open) {
                movesBytes(c); // tunnels opened before the reload still move bytes
            }
            try (RawProxyClient alice = connect(DoubleHopFixture.USER)) {
                assertThat(alice.readHead().status()).isEqualTo(403);
            }
            try (RawProxyClient bob = connect("bob")) {
                assertThat(bob.readHead().status()).isEqualTo(200);
                movesBytes(bob);
            }

            // a broken file is refused; bob stays admitted
            Files.writeString(users, "bob:not-a-hash\n");
            assertThat(reloads.reloadNow().await(30, TimeUnit.SECONDS)).isEqualTo("invalid");
            try (RawProxyClient bob = connect("bob")) {
                assertThat(bob.readHead().status()).isEqualTo(200);
            }
            assertThat(metrics.scrape()).contains("privacy_proxy_config_reloads_total{hop=\"a\",result=\"applied\"} 1.0")
                    .contains("privacy_proxy_config_reloads_total{hop=\"a\",result=\"invalid\"} 1.0");
        } finally {
            for (RawProxyClient c : open) {
                c.close();
            }
            Files.writeString(users, aliceLine + "\n");
            reloads.close();
        }
    }

    @Test
    void changedKeysNamesWhatNeedsARestartAndLeavesOutTheLiveOnes() {
        var old = YamlNodes.parseRoot("listen: 1.2.3.4:1\nusers: {file: a.txt}\nlimits: {max-tunnels: 5, idle-timeout: 5m}\n");
        var next = YamlNodes.parseRoot("listen: 1.2.3.4:1\nusers: {file: b.txt}\nlimits: {max-tunnels: 6, idle-timeout: 5m}\n"
                + "http3: true\n");
        assertThat(ConfigReloads.changedKeys(old, next, Set.of("users.file")))
                .containsExactly("http3", "limits.max-tunnels");
    }
}
