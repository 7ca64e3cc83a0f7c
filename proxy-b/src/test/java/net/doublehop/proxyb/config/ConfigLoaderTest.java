package net.doublehop.proxyb.config;

import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.config.Limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    static final String MINIMAL = """
            listen: 127.0.0.1:8443
            auth: {preshared-keys: [k1-secret-key]}
            egress:
              pools:
                - {name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}
            """;

    @TempDir
    Path dir;

    @Test
    void minimalConfigGetsEveryDefault() {
        ProxyBConfig c = ConfigLoader.parse(MINIMAL, dir);
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 8443));
        assertThat(c.proxyName()).isEqualTo("proxy-b");
        assertThat(c.tls().mode()).isEqualTo(TlsSettings.Mode.SELF_SIGNED);
        assertThat(c.auth().presharedKeys()).containsExactly("k1-secret-key");
        assertThat(c.geohash().requireSignature()).isFalse();
        assertThat(c.geohash().maxPrecision()).isEqualTo(6);
        assertThat(c.geohash().maxClockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.defaultPool()).isEmpty();
        assertThat(c.bindCheck()).isTrue();
        assertThat(c.destinationAllow()).isEmpty();
        assertThat(c.admin()).isEmpty();
        assertThat(c.limits()).isEqualTo(Limits.defaults());
        assertThat(c.dns().servers()).isEmpty();
        assertThat(c.logSensitive()).isFalse();
    }

    @Test
    void theIssueExampleLoads() throws Exception {
        Files.writeString(dir.resolve("keys.txt"), "# comment\nk3-from-file-key\n\n");
        ProxyBConfig c = ConfigLoader.parse("""
                listen: 127.0.0.1:8443
                tls: none
                auth:
                  preshared-keys: [k1-secret-key, k2-secret-key]
                  preshared-keys-file: keys.txt
                egress:
                  pools:
                    - {name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}
                    - {name: london, country: GB, geohash: gcpv, addresses: [127.0.0.3, "::1"]}
                  default-pool: london
                destinations:
                  allow: [127.0.0.1/32]
                admin: 127.0.0.1:9090
                limits: {idle-timeout: 90s, connect-timeout: 500ms, max-tunnels: 20, request-header-timeout: 3s}
                dns: {servers: ["127.0.0.1:5353", "::1", "10.0.0.53"]}
                """, dir);
        assertThat(c.tls().enabled()).isFalse();
        assertThat(c.auth().presharedKeys()).containsExactly("k1-secret-key", "k2-secret-key", "k3-from-file-key");
        assertThat(c.pools()).hasSize(2);
        assertThat(c.pools().get(1).addresses()).hasSize(2);
        assertThat(c.defaultPool()).contains("london");
        assertThat(c.admin()).contains(new HostPort("127.0.0.1", 9090));
        assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.limits().connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.limits().maxTunnels()).isEqualTo(20);
        assertThat(c.limits().requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.dns().servers()).containsExactly(new HostPort("127.0.0.1", 5353), new HostPort("::1", 53),
                new HostPort("10.0.0.53", 53));
    }

    @Test
    void aRelativeHostsFileIsTheConfigDirectorysOne() throws Exception {
        Files.writeString(dir.resolve("hosts"), "127.0.0.1 destination.test\n");
        ProxyBConfig c = ConfigLoader.parse(MINIMAL + "dns: {hosts-file: hosts}\n", dir);
        assertThat(c.dns().hostsFile()).contains(dir.resolve("hosts"));
    }

    @Test
    void keysNeverAppearInToString() {
        ProxyBConfig c = ConfigLoader.parse(MINIMAL, dir);
        assertThat(c.toString()).doesNotContain("k1-secret-key");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no listen                  | auth: {preshared-keys: [k1-secret-key]}\\negress: {pools: [{name: a, country: JP, geohash: xn76, addresses: [127.0.0.2]}]} | listen",
        "unknown top-level key      | {base}\\nlisten-port: 1 | unknown config key 'listen-port'",
        "unknown nested key         | {base}\\nlimits: {idle: 1s} | unknown config key 'limits.idle'",
        "no pools                   | listen: 127.0.0.1:1\\nauth: {preshared-keys: [k1-secret-key]} | egress.pools",
        "no auth at all             | listen: 127.0.0.1:1\\negress: {pools: [{name: a, country: JP, geohash: xn76, addresses: [127.0.0.2]}]} | allow-unauthenticated",
        "short key                  | {base}\\nauth: {preshared-keys: [short]} | at least 8",
        "bad duration               | {base}\\nlimits: {idle-timeout: soon} | duration",
        "zero duration              | {base}\\nlimits: {idle-timeout: 0s} | greater than zero",
        "bad default pool           | {base}\\negress: {pools: [{name: a, country: JP, geohash: xn76, addresses: [127.0.0.2]}], default-pool: b} | default-pool",
        "bad pool geohash           | {base}\\negress: {pools: [{name: a, country: JP, geohash: XN76, addresses: [127.0.0.2]}]} | egress.pools[0]",
        "bad pool address           | {base}\\negress: {pools: [{name: a, country: JP, geohash: xn76, addresses: [not-an-ip]}]} | egress.pools[0].addresses",
        "huge prefix                | {base}\\negress: {pools: [{name: a, country: JP, geohash: xn76, addresses: [10.0.0.0/8]}]} | egress.pools[0].addresses",
        "bad allow cidr             | {base}\\ndestinations: {allow: [10.0.0.1/33]} | 10.0.0.1/33",
        "missing hosts file         | {base}\\ndns: {hosts-file: nope.hosts} | dns.hosts-file: cannot read",
        "precision out of range     | {base}\\ngeohash: {max-precision: 13} | max-precision",
        "signature without signers  | {base}\\ngeohash: {require-signature: true} | trusted-signers",
        "missing certificate file   | {base}\\ntls: {certificate: nope.crt, private-key: nope.key} | tls.certificate",
        "cert without key           | {base}\\ntls: {certificate: nope.crt} | go together",
        "tls word other than none   | {base}\\ntls: off | tls must be",
        "not yaml                   | listen: [unclosed | YAML",
        "duplicate key              | listen: 127.0.0.1:1\\nlisten: 127.0.0.1:2 | Duplicate field 'listen'",
    })
    void rejections(String name, String yaml, String expectedInMessage) {
        String base = "listen: 127.0.0.1:1\nauth: {preshared-keys: [k1-secret-key]}";
        String text = yaml.replace("\\n", "\n");
        if (text.startsWith("{base}")) {
            // later keys override earlier ones only if they are not duplicated: drop base's duplicates
            String extra = text.substring("{base}".length());
            String b = extra.contains("\nauth:") ? "listen: 127.0.0.1:1" : base;
            String pools = extra.contains("\negress:") ? ""
                    : "\negress: {pools: [{name: a, country: JP, geohash: xn76, addresses: [127.0.0.2]}]}";
            text = b + pools + extra;
        }
        String finalText = text;
        assertThatThrownBy(() -> ConfigLoader.parse(finalText, dir))
                .as(name).isInstanceOf(ConfigException.class).hasMessageContaining(expectedInMessage);
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1:8443,127.0.0.1,8443", "[::1]:0,::1,0", "localhost:1,localhost,1"})
    void hostPort(String text, String host, int port) {
        assertThat(HostPort.parse(text)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1", "::1:80", "host:", ":80", "host:x", "host:70000"})
    void badHostPort(String text) {
        assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
