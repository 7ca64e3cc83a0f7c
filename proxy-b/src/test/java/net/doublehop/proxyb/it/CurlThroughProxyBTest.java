package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * curl, as the README's quick start uses it, through a real Proxy B over TLS (HTTP/1.1 CONNECT; this
 * curl cannot speak HTTP/2 to a proxy) to a loopback destination that reports the egress address.
 */
class CurlThroughProxyBTest {

    private static ProxyBFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new ProxyBFixture("");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @ParameterizedTest(name = "geohash {0} egresses from {1}")
    @CsvSource({
        "xn76c-JP, 127.0.0.2",   // Tokyo pool
        "xn7-JP,   127.0.0.2",   // coarser Tokyo hint, same country
        "gcpvj-GB, 127.0.0.3",   // London pool (IPv4 destination, so its IPv4 address)
        "u4pru-DK, 127.0.0.3",   // no Danish pool: the default pool
    })
    void egressFollowsTheGeohash(String geohash, String expectedEgress) throws Exception {
        Result r = curl("--proxy-header", "Proxy-Authorization: Preshared " + ProxyBFixture.PSK,
                "--proxy-header", "sec-ch-geohash: " + geohash, "http://" + fx.destHttp() + "/");
        assertThat(r.exit).as(r.stderr).isZero();
        assertThat(r.stdout).startsWith("seen-from=" + expectedEgress + " ");
    }

    @Test
    void noGeohashUsesTheDefaultPool() throws Exception {
        Result r = curl("--proxy-header", "Proxy-Authorization: Preshared " + ProxyBFixture.PSK,
                "http://" + fx.destHttp() + "/");
        assertThat(r.exit).as(r.stderr).isZero();
        assertThat(r.stdout).startsWith("seen-from=127.0.0.3 ");
    }

    @Test
    void missingCredentialsGet407WithChallenge() throws Exception {
        Result r = curl("-v", "http://" + fx.destHttp() + "/");
        assertThat(r.exit).isNotZero();
        assertThat(r.stderr).contains("HTTP/1.1 407").containsIgnoringCase("Proxy-Authenticate: Preshared")
                .containsIgnoringCase("proxy-status: proxy-b; error=http_request_denied");
    }

    @Test
    void wrongKeyGets403() throws Exception {
        Result r = curl("-v", "--proxy-header", "Proxy-Authorization: Preshared wrong-key-000000",
                "http://" + fx.destHttp() + "/");
        assertThat(r.exit).isNotZero();
        assertThat(r.stderr).contains("HTTP/1.1 403").containsIgnoringCase("error=http_request_denied");
    }

    @Test
    void uploadAndDownloadSurviveTheTunnel() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        java.nio.file.Path file = fx.dir.resolve("upload.bin");
        java.nio.file.Files.write(file, body);
        Result r = curl("--proxy-header", "Proxy-Authorization: Preshared " + ProxyBFixture.PSK,
                "--data-binary", "@" + file, "http://" + fx.destHttp() + "/");
        assertThat(r.exit).as(r.stderr).isZero();
        assertThat(r.stdout).contains("bytes=" + body.length);
    }

    /**
     * curl reading at 16 MB/s holds Proxy B's queues full while the destination writes 8 MiB and closes:
     * every byte must still arrive (telnet:// is curl's raw TCP through the tunnel).
     */
    @Test
    void aSlowReaderGetsEveryByteOfADestinationThatClosedEarly() throws Exception {
        java.nio.file.Path file = fx.dir.resolve("burst.bin");
        Result r = curl("--limit-rate", "16M", "-o", file.toString(),
                "--proxy-header", "Proxy-Authorization: Preshared " + ProxyBFixture.PSK,
                "telnet://" + fx.destination.burst.authority());
        assertThat(r.exit).as(r.stderr).isZero();
        BurstDestination.assertReceivedAll(java.nio.file.Files.readAllBytes(file));
    }

    record Result(int exit, String stdout, String stderr) { }

    static Result curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-p",
                "-x", "https://127.0.0.1:" + fx.port(), "--proxy-insecure"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close(); // telnet:// would send our stdin
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
