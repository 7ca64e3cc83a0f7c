package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.runtime.config.ConfigException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proxy A in {@code mode: oblivious} with curl as the client (HTTP/1.1 CONNECT to A, then curl's own TLS to B
 * through the tunnel): only B's address is a target, the user is authenticated and located as in forward mode, and
 * the 200 carries the signed geohash for the client to present to B. A relays what follows blindly.
 */
class ObliviousAtATest {

    private static final String B_KEY = "oblivious-test-key";
    private static DoubleHopFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture("mode: oblivious\n", "{file: users.txt}",
                "auth: {preshared-keys: [" + B_KEY + "]}\n", 0, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void aTunnelToBIsAnsweredWithTheSignedLocationAndRelayedBlindly() throws Exception {
        // curl's request inside the tunnel is a GET, which B refuses: that answer came from B through A untouched
        ForwardDoubleHopTest.Result r = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v", "-k", "--interface",
                "127.0.0.10", "--proxy-user", "alice:wonderland", "https://127.0.0.1:" + fx.bPort + "/");
        assertThat(r.stderr()).containsPattern("(?i)HTTP/1.1 200[^\\n]*\\n(.*\\n)*< sec-ch-geohash: xn76[0-9a-z]-JP")
                .containsPattern("(?i)< signature-input: geo=\\(\"sec-ch-geohash\"\\);created=\\d+;expires=\\d+;nonce=")
                .containsPattern("(?i)< signature: geo=:")
                .containsPattern("(?i)< proxy-status: proxy-b; error=http_request_error");
    }

    /**
     * B binds a signature to the connection that first presented it: the headers A signed, sent to B by one client
     * (curl, its own connection), work there; the same headers from another connection are a 403.
     */
    @Test
    void aSignedGeohashReplayedFromAnotherConnectionIsRefusedAtB() throws Exception {
        ForwardDoubleHopTest.Result signedBy = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v", "-k", "--interface",
                "127.0.0.10", "--proxy-user", "alice:wonderland", "https://127.0.0.1:" + fx.bPort + "/");
        java.util.List<String> signed = signedBy.stderr().lines().filter(l -> l.matches("(?i)< (sec-ch-geohash|"
                + "signature-input|signature): .*")).map(l -> l.substring(2).strip()).toList();
        assertThat(signed).hasSize(3);
        java.util.List<String> headers = new java.util.ArrayList<>();
        for (String h : signed) {
            headers.add("--proxy-header");
            headers.add(h);
        }
        headers.addAll(java.util.List.of("--proxy-header", "Proxy-Authorization: Preshared " + B_KEY, "-v",
                "http://" + fx.destination() + "/"));
        ForwardDoubleHopTest.Result first = PrivacyAndResilienceTest.curlVia(fx.bPort, headers.toArray(String[]::new));
        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(first.stdout()).startsWith("seen-from=127.0.0.2 ");
        ForwardDoubleHopTest.Result replay = PrivacyAndResilienceTest.curlVia(fx.bPort, headers.toArray(String[]::new));
        assertThat(replay.exit()).isNotZero();
        assertThat(replay.stderr()).contains("HTTP/1.1 403").containsPattern("(?i)proxy-status: proxy-b; "
                + "error=http_request_denied; details=\"geohash signature replayed from another connection\"");
    }

    @Test
    void anyOtherTargetIsRefusedWith403() throws Exception {
        ForwardDoubleHopTest.Result r = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v", "--proxy-user",
                "alice:wonderland", "http://" + fx.destination() + "/");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("HTTP/1.1 403").containsPattern("(?i)proxy-status: proxy-a; "
                + "error=http_request_denied; details=\"oblivious mode: tunnels only to a configured Proxy B\"");
    }

    @Test
    void theUserIsAuthenticatedAsInForwardMode() throws Exception {
        ForwardDoubleHopTest.Result r = PrivacyAndResilienceTest.curlVia(fx.a.port(), "-v", "-k",
                "https://127.0.0.1:" + fx.bPort + "/");
        assertThat(r.stderr()).contains("HTTP/1.1 407");
    }

    @Test
    void modeAndTargetsAreChecked(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ca.crt"), fx.pki.ca().certificatePem());
        String base = "listen: 127.0.0.1:0\nusers: {preshared-keys: [aaaaaaaaaaaa]}\n"
                + "upstream: {url: \"https://b.example:8443\", trust: ca.crt}\n";
        ProxyAConfig.Oblivious dflt = ProxyAConfigLoader.parse(base, dir).oblivious();
        assertThat(dflt.mode()).isEqualTo(ProxyAConfig.Mode.FORWARD);
        ProxyAConfig.Oblivious both = ProxyAConfigLoader.parse(base + "mode: both\n", dir).oblivious();
        assertThat(both.isTarget(net.doublehop.protocol.ConnectTarget.parse("B.example:8443"))).isTrue();
        assertThat(both.isTarget(net.doublehop.protocol.ConnectTarget.parse("b.example:443"))).isFalse();
        ProxyAConfig.Oblivious listed = ProxyAConfigLoader.parse(base
                + "mode: oblivious\noblivious: {targets: [\"10.0.0.2:443\"]}\n", dir).oblivious();
        assertThat(listed.targets()).containsExactly(net.doublehop.protocol.ConnectTarget.parse("10.0.0.2:443"));
        assertThatThrownBy(() -> ProxyAConfigLoader.parse(base + "mode: sideways\n", dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mode must be forward, oblivious or both");
        assertThatThrownBy(() -> ProxyAConfigLoader.parse(base + "oblivious: {targets: [\"nohost\"]}\n", dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("oblivious.targets");
    }
}
