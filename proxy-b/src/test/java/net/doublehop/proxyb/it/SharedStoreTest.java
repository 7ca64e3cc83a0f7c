package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import net.doublehop.protocol.privacypass.Client;
import net.doublehop.protocol.privacypass.Issuer;
import net.doublehop.protocol.privacypass.PendingToken;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenType;
import net.doublehop.runtime.store.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Proxy B instances sharing one real redis-server ({@code store.redis}), as behind a load balancer: a Privacy
 * Pass token spent at one is refused at the other; with Redis gone, tokens are refused with 503 (fail closed) while
 * pre-shared keys still work.
 */
class SharedStoreTest {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ISSUER_NAME = "issuer.test";
    private static RedisServer redis;
    private static Issuer issuer;
    private static ProxyBFixture one;
    private static ProxyBFixture two;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        issuer = new Issuer((RSAPrivateCrtKey) g.generateKeyPair().getPrivate(), RANDOM);
        Path pub = Files.createTempFile("issuer", ".pub.pem");
        Files.writeString(pub, issuer.publicKey().toPem());
        String yaml = ProxyBFixture.BASE_YAML.replace("auth:\n", """
                auth:
                  privacy-pass:
                    issuer-keys: ["%s"]
                    issuer-name: %s
                """.formatted(pub, ISSUER_NAME));
        String store = "store:\n  redis: " + redis.uri() + "\n  timeout: 10s\n";
        one = new ProxyBFixture(yaml, store);
        two = new ProxyBFixture(yaml, store);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            one.close();
            two.close();
        } finally {
            redis.close();
        }
    }

    private static String token() {
        Client client = new Client(issuer.publicKey(), RANDOM);
        PendingToken pending = client.request(new TokenChallenge(TokenType.BLIND_RSA_2048, ISSUER_NAME, new byte[0], ""));
        return PrivateTokenAuth.formatCredentials(client.finalizeToken(pending, issuer.issue(pending.request())));
    }

    private static RawProxyClient.Head connect(ProxyBFixture fx, String authorization) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true)) {
            c.send("CONNECT " + fx.destEcho() + " HTTP/1.1\r\nHost: x\r\nProxy-Authorization: " + authorization
                    + "\r\n\r\n");
            RawProxyClient.Head h = c.readHead();
            if (h.status() == 200) {
                c.send("ping");
                assertThat(new String(c.readBytes(4))).isEqualTo("ping");
            }
            return h;
        }
    }

    private static String metrics(ProxyBFixture fx) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fx.proxy.adminPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aTokenSpentAtOneInstanceIsRefusedAtTheOtherAndARedisOutageFailsClosed() throws Exception {
        for (int i = 0; i < 3; i++) {
            String t = token();
            ProxyBFixture first = i % 2 == 0 ? one : two;
            ProxyBFixture second = first == one ? two : one;
            assertThat(connect(first, t).status()).isEqualTo(200);
            RawProxyClient.Head replay = connect(second, t);
            assertThat(replay.status()).isEqualTo(403);
            assertThat(replay.header("proxy-status")).contains("http_request_denied").contains("already spent");
            assertThat(connect(first, t).status()).isEqualTo(403);
        }
        assertThat(metrics(one)).contains("privacy_proxy_privacy_pass_redemptions_total{hop=\"b\",result=\"replayed\"}")
                .contains("privacy_proxy_refusals_total{error=\"http_request_denied\",hop=\"b\"}");

        redis.stop();
        String t = token();
        RawProxyClient.Head down = connect(one, t);
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.header("proxy-status")).contains("proxy_internal_error").contains("store unavailable");
        assertThat(connect(two, t).status()).as("refused, not spent: still refused at the other").isEqualTo(503);
        assertThat(connect(one, "Preshared " + ProxyBFixture.PSK).status()).as("other credentials").isEqualTo(200);
        assertThat(metrics(one)).contains("privacy_proxy_privacy_pass_redemptions_total{hop=\"b\",result=\"unavailable\"}");
    }
}
