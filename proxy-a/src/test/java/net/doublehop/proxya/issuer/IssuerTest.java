package net.doublehop.proxya.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import net.doublehop.protocol.privacypass.Base64Url;
import net.doublehop.protocol.privacypass.Client;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PendingToken;
import net.doublehop.protocol.privacypass.Token;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenResponse;
import net.doublehop.protocol.privacypass.TokenVerifier;
import net.doublehop.protocol.privacypass.VerifiedToken;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proxy A's issuer and attester end to end: a real listener, real TLS, our {@link Client} on the other side. */
class IssuerTest {

    static IssuerFixture fx;
    static HttpClient http;
    static final TokenChallenge CHALLENGE = new TokenChallenge(2, IssuerFixture.NAME, new byte[0], "");
    static final IssuerPublicKey KEY1 = IssuerFixture.publicKey(IssuerFixture.KEYS.get(0));
    static final IssuerPublicKey KEY2 = IssuerFixture.publicKey(IssuerFixture.KEYS.get(1));
    static final String ALICE = IssuerFixture.basic(IssuerFixture.USER, IssuerFixture.PASSWORD);
    static final String TYPE = IssuerService.REQUEST_TYPE;

    @BeforeAll
    static void start() throws Exception {
        fx = new IssuerFixture();
        http = fx.http(false);
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    @Test
    void directoryListsBothKeysInOrderWithCaching() throws Exception {
        for (String method : List.of("GET", "HEAD")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(fx.uri(IssuerService.DIRECTORY_PATH))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(method).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).contains("application/private-token-issuer-directory");
            assertThat(r.headers().firstValue("cache-control")).contains("public, max-age=3600");
            if (method.equals("HEAD")) {
                assertThat(r.body()).isEmpty();
                continue;
            }
            JsonNode d = new ObjectMapper().readTree(r.body());
            assertThat(d.get("issuer-request-uri").asText()).isEqualTo("/token-request");
            assertThat(d.get("token-keys")).hasSize(2);
            List<IssuerPublicKey> listed = new ArrayList<>();
            for (JsonNode k : d.get("token-keys")) {
                assertThat(k.get("token-type").isInt()).isTrue();
                assertThat(k.get("token-type").asInt()).isEqualTo(2);
                assertThat(k.has("not-before")).isFalse();
                // Base64Url.decode takes padded base64url only, as RFC 9578 §4 wants it written.
                listed.add(IssuerPublicKey.fromSpki(Base64Url.decode(k.get("token-key").asText())));
            }
            assertThat(listed).containsExactly(KEY1, KEY2);
            assertThat(Base64Url.decode(d.get("token-keys").get(0).get("token-key").asText())).isEqualTo(KEY1.spki());
        }
        assertThat(fx.a.issuerPublicKeys()).containsExactly(KEY1, KEY2);
    }

    @Test
    void anAuthenticatedUserGetsATokenThatVerifiesWithEitherAliveKey() throws Exception {
        TokenVerifier verifier = new TokenVerifier(List.of(KEY1, KEY2));
        for (IssuerPublicKey key : List.of(KEY1, KEY2)) {
            Token token = fetch(key, CHALLENGE, "authorization", ALICE);
            VerifiedToken v = verifier.verify(token, CHALLENGE);
            assertThat(v.issuerKey()).isEqualTo(key);
        }
    }

    @Test
    void presharedKeysAndClientCertificatesAreAttestedToo() throws Exception {
        TokenVerifier verifier = new TokenVerifier(List.of(KEY1));
        verifier.verify(fetch(KEY1, CHALLENGE, "authorization", "Preshared " + IssuerFixture.PSK), CHALLENGE);
        Client client = new Client(KEY1, new SecureRandom());
        PendingToken p = client.request(CHALLENGE);
        HttpResponse<byte[]> r = fx.post(fx.http(true), p.request().encode(), "content-type", TYPE);
        assertThat(r.statusCode()).isEqualTo(200);
        verifier.verify(client.finalizeToken(p, TokenResponse.decode(r.body())), CHALLENGE);
    }

    @Test
    void withoutCredentialsOrWithWrongOnesIt401sWithABasicChallenge() throws Exception {
        byte[] body = new Client(KEY1, new SecureRandom()).request(CHALLENGE).request().encode();
        List<HttpResponse<byte[]>> answers = List.of(
                fx.post(http, body, "content-type", TYPE),
                fx.post(http, body, "content-type", TYPE, "authorization", IssuerFixture.basic("alice", "nope")),
                fx.post(http, body, "content-type", TYPE, "authorization", IssuerFixture.basic("mallory", "wonderland")),
                fx.post(http, body, "content-type", TYPE, "authorization", "Preshared wrong-key-123"),
                fx.post(http, body, "content-type", TYPE, "authorization", "Bearer abc"),
                // The proxy's header means nothing to an origin.
                fx.post(http, body, "content-type", TYPE, "proxy-authorization", ALICE));
        for (HttpResponse<byte[]> r : answers) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate")).contains("Basic realm=\"issuer.test\", charset=\"UTF-8\"");
        }
        assertThat(fx.post(http, body, "content-type", TYPE, "authorization", "Basic !!!").statusCode()).isEqualTo(400);
    }

    @Test
    void malformedRequestsAre400AndOnesRfc9578Lists422() throws Exception {
        byte[] good = new Client(KEY1, new SecureRandom()).request(CHALLENGE).request().encode();
        // RFC 9578 §6.2: not a supported token type, no key with that truncated id, blinded_msg of the wrong size.
        assertThat(status(good, "text/plain")).isEqualTo(400);
        assertThat(status(good, null)).isEqualTo(400);
        assertThat(status(new byte[] {0, 2}, TYPE)).isEqualTo(400);
        assertThat(status(new byte[0], TYPE)).isEqualTo(400);
        byte[] voprf = good.clone();
        voprf[1] = 1;
        assertThat(status(voprf, TYPE)).isEqualTo(422);
        assertThat(status(Arrays.copyOf(good, 100), TYPE)).isEqualTo(422);
        assertThat(status(Arrays.copyOf(good, good.length + 1), TYPE)).isEqualTo(422);
        byte[] otherKey = good.clone();
        int unused = 0;
        while (unused == KEY1.truncatedTokenKeyId() || unused == KEY2.truncatedTokenKeyId()) {
            unused++;
        }
        otherKey[2] = (byte) unused;
        HttpResponse<byte[]> r = fx.post(http, otherKey, "content-type", TYPE, "authorization", ALICE);
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(new String(r.body())).contains("unknown truncated token key id");
        byte[] aboveModulus = good.clone();
        Arrays.fill(aboveModulus, 3, aboveModulus.length, (byte) 0xff);
        assertThat(status(aboveModulus, TYPE)).isEqualTo(422);
        assertThat(status(new byte[5000], TYPE)).isEqualTo(413);
        assertThat(status(good, "Application/Private-Token-Request; charset=binary")).isEqualTo(200);
    }

    @Test
    void otherMethodsAndPaths() throws Exception {
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(fx.uri(IssuerService.REQUEST_PATH)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("allow")).contains("POST");
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(fx.uri(IssuerService.DIRECTORY_PATH))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(http.send(HttpRequest.newBuilder(fx.uri("/")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(404);
    }

    @Test
    void nothingAboutUsersRequestsOrTokensIsLogged() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger issuerLog = Logger.getLogger("proxy-a");
        Level before = issuerLog.getLevel();
        issuerLog.setLevel(Level.ALL);
        issuerLog.addHandler(capture);
        try {
            Client client = new Client(KEY1, new SecureRandom());
            PendingToken p = client.request(CHALLENGE);
            byte[] request = p.request().encode();
            HttpResponse<byte[]> ok = fx.post(http, request, "content-type", TYPE, "authorization", ALICE);
            Token token = client.finalizeToken(p, TokenResponse.decode(ok.body()));
            fx.post(http, request, "content-type", "text/plain", "authorization", ALICE);
            fx.post(http, request, "content-type", TYPE, "authorization", IssuerFixture.basic("alice", "bad"));
            byte[] wrong = request.clone();
            wrong[1] = 7;
            fx.post(http, wrong, "content-type", TYPE, "authorization", ALICE);
            assertThat(records).isNotEmpty(); // the refusals were logged, at DEBUG
            List<String> secrets = List.of("alice", IssuerFixture.PASSWORD, b64(request), b64(ok.body()),
                    b64(token.encode()), Base64Url.encode(token.encode()), hex(token.nonce()));
            for (LogRecord r : records) {
                String text = r.getMessage() + " " + Arrays.toString(r.getParameters());
                for (String s : secrets) {
                    assertThat(text).doesNotContain(s);
                }
            }
        } finally {
            issuerLog.removeHandler(capture);
            issuerLog.setLevel(before);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b).substring(0, 40);
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static int status(byte[] body, String contentType) throws Exception {
        return contentType == null ? fx.post(http, body, "authorization", ALICE).statusCode()
                : fx.post(http, body, "content-type", contentType, "authorization", ALICE).statusCode();
    }

    /** One token through the issuer with our client, or an assertion error naming the status. */
    static Token fetch(IssuerPublicKey key, TokenChallenge challenge, String... headers) throws Exception {
        Client client = new Client(key, new SecureRandom());
        PendingToken p = client.request(challenge);
        String[] all = Arrays.copyOf(headers, headers.length + 2);
        all[headers.length] = "content-type";
        all[headers.length + 1] = TYPE;
        HttpResponse<byte[]> r = fx.post(http, p.request().encode(), all);
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains(IssuerService.RESPONSE_TYPE);
        assertThat(r.headers().firstValue("cache-control")).contains("no-store");
        assertThat(r.body()).hasSize(256);
        return client.finalizeToken(p, TokenResponse.decode(r.body()));
    }

}
