package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxyb.it.BurstDestination;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** curl → Proxy A → Proxy B → destination, with client source addresses chosen by curl --interface. */
class ForwardDoubleHopTest {

    private static DoubleHopFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new DoubleHopFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    record Result(int exit, String stdout, String stderr) { }

    static Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-p", "-x",
                "https://127.0.0.1:" + fx.a.port(), "--proxy-insecure"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close(); // telnet:// would send our stdin
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }

    @ParameterizedTest(name = "client {0} egresses from {1}")
    @CsvSource({
        "127.0.0.10, 127.0.0.2",  // located in Tokyo by the demo table
        "127.0.0.11, 127.0.0.2",  // Osaka: no Osaka pool, nearest Japanese pool
        "127.0.0.20, 127.0.0.3",  // London
        "127.0.0.1,  127.0.0.3",  // no location, no fallback: no hint, B's default pool
    })
    void egressFollowsTheClientsLocation(String client, String egress) throws Exception {
        Result r = curl("--interface", client, "--proxy-user", DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD,
                "http://" + fx.destination() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=" + egress + " ");
    }

    @ParameterizedTest(name = "Node h2 client {0} egresses from {1}")
    @CsvSource({"127.0.0.10, 127.0.0.2", "127.0.0.20, 127.0.0.3", "127.0.0.1, 127.0.0.3"})
    void nodeHttp2ClientsToo(String client, String egress) throws Exception {
        List<com.fasterxml.jackson.databind.JsonNode> r = PrivacyAndResilienceTest.node(fx.a.port(), fx.destination(), 3,
                client);
        assertThat(r).hasSize(3).allSatisfy(j -> {
            assertThat(j.get("status").asInt()).isEqualTo(200);
            assertThat(j.get("serverTiming").asText()).matches("proxy;dur=[0-9.]+, proxy-a;dur=[0-9.]+");
            assertThat(j.get("body").asText()).contains("seen-from=" + egress + " ");
        });
    }

    /**
     * Destination writes 8 MiB and closes while the client holds its stream paused: B and A must both stop
     * reading (backpressure on both hops) and still deliver every byte in order, then END_STREAM.
     */
    @Test
    void nodeGetsEveryByteOfADestinationThatClosedEarly() throws Exception {
        try (BurstDestination burst = new BurstDestination()) {
            List<com.fasterxml.jackson.databind.JsonNode> r = PrivacyAndResilienceTest.node(fx.a.port(),
                    burst.authority(), 3, null, "drain");
            assertThat(r).hasSize(3).allSatisfy(j -> {
                assertThat(j.get("status").asInt()).isEqualTo(200);
                assertThat(j.get("body").asText()).isEqualTo(Integer.toString(BurstDestination.BYTES));
                assertThat(j.get("patternOk").asBoolean()).isTrue();
            });
        }
    }

    /** The same over HTTP/1.1: curl reading at 16 MB/s, raw TCP (telnet://) through A and B. */
    @Test
    void curlGetsEveryByteOfADestinationThatClosedEarly() throws Exception {
        try (BurstDestination burst = new BurstDestination()) {
            java.nio.file.Path file = fx.dir.resolve("burst.bin");
            Result r = curl("--limit-rate", "16M", "-o", file.toString(), "--proxy-user",
                    DoubleHopFixture.USER + ":" + DoubleHopFixture.PASSWORD, "telnet://" + burst.authority());
            assertThat(r.exit()).as(r.stderr()).isZero();
            BurstDestination.assertReceivedAll(java.nio.file.Files.readAllBytes(file));
        }
    }

    @Test
    void aClientsOwnGeohashCannotMoveItsEgress() throws Exception {
        Result r = curl("--interface", "127.0.0.10", "--proxy-user", "alice:wonderland",
                "--proxy-header", "sec-ch-geohash: gcpvj-GB", "http://" + fx.destination() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
    }

    @Test
    void aUserMayAskForACoarserLocation() throws Exception {
        Result r = curl("--interface", "127.0.0.10", "--proxy-user", "alice:wonderland",
                "--proxy-header", "sec-ch-geohash: xn-JP", "http://" + fx.destination() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("seen-from=127.0.0.2 ");
    }

    @Test
    void adminPublishesTheSigningKeysJwks() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + fx.a.adminPort()
                        + ProxyA.JWKS_PATH)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("application/jwk-set+json");
        assertThat(net.doublehop.protocol.signature.Jwks.parse(r.body()))
                .containsExactly(java.util.Map.entry("proxy-a-1", fx.signingKey.getPublic()));
        assertThat(r.body()).doesNotContain("\"d\"");
    }

    @Test
    void serverTimingCarriesBothHops() throws Exception {
        Result r = curl("-v", "--interface", "127.0.0.10", "--proxy-user", "alice:wonderland",
                "http://" + fx.destination() + "/");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stderr()).containsPattern("(?i)server-timing: proxy;dur=[0-9.]+, proxy-a;dur=[0-9.]+");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"alice:wrong, 403", "mallory:wonderland, 403"})
    void wrongUsersAreRefused(String credentials, int status) throws Exception {
        Result r = curl("-v", "--proxy-user", credentials, "http://" + fx.destination() + "/");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("HTTP/1.1 " + status).containsIgnoringCase("proxy-status: proxy-a; error=http_request_denied");
    }

    @Test
    void noCredentialsGet407WithBasicChallenge() throws Exception {
        Result r = curl("-v", "http://" + fx.destination() + "/");
        assertThat(r.stderr()).contains("HTTP/1.1 407").containsIgnoringCase("proxy-authenticate: Basic realm=\"proxy-a\"");
    }

    @ParameterizedTest(name = "default port {0} reaches B")
    @org.junit.jupiter.params.provider.ValueSource(ints = {80, 443})
    void bRefusalsPassThroughWithBothEntries(int port) throws Exception {
        Result r = curl("-v", "--proxy-user", "alice:wonderland", "http://10.1.2.3:" + port + "/");
        assertThat(r.exit()).isNotZero();
        assertThat(r.stderr()).contains("HTTP/1.1 502").containsIgnoringCase(
                "proxy-status: proxy-b; error=destination_ip_prohibited; details=\"destination address is in a refused range\", proxy-a; received-status=502")
                .contains("CONNECT 10.1.2.3:" + port);
    }
}
