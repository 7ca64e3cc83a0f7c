package net.doublehop.proxya.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import net.doublehop.protocol.privacypass.Client;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.TokenChallenge;
import org.junit.jupiter.api.Test;

/** The per-user hourly limit and a key announced before it is in use. */
class IssuerLimitsAndRotationTest {

    static final TokenChallenge CHALLENGE = new TokenChallenge(2, IssuerFixture.NAME, new byte[0], "");

    @Test
    void pastThePerUserLimitIt429sWithRetryAfterAndOtherUsersGoOn() throws Exception {
        try (IssuerFixture fx = new IssuerFixture("keys: [issuer-1.pem]\ntokens-per-user-per-hour: 3")) {
            HttpClient http = fx.http(false);
            IssuerPublicKey key = IssuerFixture.publicKey(IssuerFixture.KEYS.get(0));
            String alice = IssuerFixture.basic(IssuerFixture.USER, IssuerFixture.PASSWORD);
            for (int i = 0; i < 3; i++) {
                assertThat(post(fx, http, key, alice).statusCode()).isEqualTo(200);
            }
            HttpResponse<byte[]> refused = post(fx, http, key, alice);
            assertThat(refused.statusCode()).isEqualTo(429);
            // One token comes back every 3600 / 3 s.
            assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow())).isBetween(1L, 1200L);
            assertThat(new String(refused.body())).contains("token limit reached");
            assertThat(post(fx, http, key, alice).statusCode()).isEqualTo(429);
            // The limit is per user: the pre-shared key's account has its own, and refused requests
            // (here: for a key this issuer does not have) do not use it up.
            String psk = "Preshared " + IssuerFixture.PSK;
            IssuerPublicKey unknown = IssuerFixture.publicKey(IssuerFixture.KEYS.get(1));
            for (int i = 0; i < 5; i++) {
                assertThat(post(fx, http, unknown, psk).statusCode()).isEqualTo(422);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(post(fx, http, key, psk).statusCode()).isEqualTo(200);
            }
            assertThat(post(fx, http, key, psk).statusCode()).isEqualTo(429);
        }
    }

    @Test
    void aKeyWithAFutureNotBeforeIsPublishedButNotUsedYet() throws Exception {
        Instant later = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        try (IssuerFixture fx = new IssuerFixture("keys:\n  - issuer-1.pem\n  - {file: issuer-2.pem, not-before: "
                + later + "}")) {
            HttpClient http = fx.http(false);
            JsonNode d = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(
                    fx.uri(IssuerService.DIRECTORY_PATH)).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(d.get("token-keys").get(0).has("not-before")).isFalse();
            assertThat(d.get("token-keys").get(1).get("not-before").asLong()).isEqualTo(later.getEpochSecond());
            String alice = IssuerFixture.basic(IssuerFixture.USER, IssuerFixture.PASSWORD);
            assertThat(post(fx, http, IssuerFixture.publicKey(IssuerFixture.KEYS.get(0)), alice).statusCode())
                    .isEqualTo(200);
            HttpResponse<byte[]> early = post(fx, http, IssuerFixture.publicKey(IssuerFixture.KEYS.get(1)), alice);
            assertThat(early.statusCode()).isEqualTo(422);
            assertThat(new String(early.body())).contains("not in use yet");
        }
    }

    @Test
    void withoutKeysOneIsGeneratedForTheRun() throws Exception {
        try (IssuerFixture fx = new IssuerFixture("")) {
            assertThat(fx.a.issuerPublicKeys()).hasSize(1);
            IssuerPublicKey key = fx.a.issuerPublicKeys().get(0);
            assertThat(key).isNotIn(IssuerFixture.publicKey(IssuerFixture.KEYS.get(0)),
                    IssuerFixture.publicKey(IssuerFixture.KEYS.get(1)));
            assertThat(post(fx, fx.http(false), key, "Preshared " + IssuerFixture.PSK).statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<byte[]> post(IssuerFixture fx, HttpClient http, IssuerPublicKey key, String auth)
            throws Exception {
        byte[] body = new Client(key, new SecureRandom()).request(CHALLENGE).request().encode();
        return fx.post(http, body, "content-type", IssuerService.REQUEST_TYPE, "authorization", auth);
    }
}
