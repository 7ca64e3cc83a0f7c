package net.doublehop.proxya.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.privacypass.Base64Url;
import net.doublehop.protocol.privacypass.Client;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PendingToken;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.Token;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenResponse;
import net.doublehop.protocol.privacypass.TokenVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our issuer, client and verifier against Cloudflare's {@code @cloudflare/privacypass-ts} (an independent
 * implementation of RFC 9577/9578), driven through src/test/node/privacypass-interop/interop.mjs. Its
 * packages come from the committed lock file, installed by scripts/install-node-test-deps.sh.
 */
class PrivacyPassInteropTest {

    static final Path NODE_DIR = Path.of("src/test/node/privacypass-interop").toAbsolutePath();
    static final IssuerPublicKey KEY1 = IssuerFixture.publicKey(IssuerFixture.KEYS.get(0));
    static final IssuerPublicKey KEY2 = IssuerFixture.publicKey(IssuerFixture.KEYS.get(1));
    static final String ALICE = IssuerFixture.basic(IssuerFixture.USER, IssuerFixture.PASSWORD);
    static IssuerFixture fx;

    @BeforeAll
    static void start() throws Exception {
        Result install = run(List.of("bash", Path.of("../scripts/install-node-test-deps.sh").toAbsolutePath().toString()),
                300);
        assertThat(install.exit()).as("scripts/install-node-test-deps.sh: " + install.err()).isZero();
        fx = new IssuerFixture();
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    static List<TokenChallenge> challenges() {
        byte[] context = new byte[32];
        new SecureRandom().nextBytes(context);
        return List.of(new TokenChallenge(2, IssuerFixture.NAME, new byte[0], ""),
                new TokenChallenge(2, IssuerFixture.NAME, context, "a.example,b.example"));
    }

    /** (a) privacypass-ts's Client fetches from our issuer (directory, request, finalize); our verifier accepts. */
    @Test
    void theirClientGetsATokenFromOurIssuerThatOurVerifierAccepts() throws Exception {
        TokenVerifier verifier = new TokenVerifier(List.of(KEY1, KEY2));
        for (TokenChallenge c : challenges()) {
            JsonNode j = node("fetch", "https://127.0.0.1:" + fx.a.issuerPort(), ALICE, Base64Url.encode(c.encode()));
            assertThat(j.get("directoryContentType").asText()).isEqualTo(IssuerService.DIRECTORY_TYPE);
            assertThat(j.get("challengeRoundTrips").asBoolean()).isTrue();
            assertThat(j.get("tokenKey").asText()).isEqualTo(Base64Url.encode(KEY1.spki())); // the first listed
            Token token = Token.decode(Base64Url.decode(j.get("token").asText()));
            assertThat(verifier.verify(token, c).issuerKey()).isEqualTo(KEY1);
            // Its Authorization header value is one our parser reads to the same token.
            assertThat(PrivateTokenAuth.parseCredentials(j.get("credentials").asText())).isEqualTo(token);
        }
    }

    /** (b) Our Client gets a token from our issuer; privacypass-ts's Origin verifies it with the public key. */
    @Test
    void ourTokensVerifyWithTheirOrigin() throws Exception {
        for (TokenChallenge c : challenges()) {
            for (IssuerPublicKey key : List.of(KEY1, KEY2)) {
                Token token = ourToken(key, c);
                JsonNode j = node("verify", Base64Url.encode(key.spki()), Base64Url.encode(c.encode()),
                        PrivateTokenAuth.formatCredentials(token));
                assertThat(j.get("valid").asBoolean()).as(j.toString()).isTrue();
                assertThat(j.get("challengeMatches").asBoolean()).isTrue();
                assertThat(j.get("keyIdMatches").asBoolean()).isTrue();
                // ...and it is not a verifier that says yes to anything.
                byte[] auth = token.authenticator();
                auth[100] ^= 1;
                Token forged = new Token(token.tokenType(), token.nonce(), token.challengeDigest(), token.tokenKeyId(), auth);
                assertThat(node("verify", Base64Url.encode(key.spki()), Base64Url.encode(c.encode()),
                        PrivateTokenAuth.formatCredentials(forged)).get("valid").asBoolean()).isFalse();
            }
        }
    }

    /**
     * (c) privacypass-ts's Issuer with a key we generated (issuer-1.pem): it signs our Client's request and
     * the token verifies with our verifier; and a token made entirely by privacypass-ts (its Client and
     * Issuer) verifies with our verifier. Both sides encode the key alike, so token_key_id agrees.
     */
    @Test
    void theirIssuerWithOurKeyMakesTokensOurVerifierAccepts() throws Exception {
        String keyFile = fx.dir.resolve("issuer-1.pem").toString();
        TokenVerifier verifier = new TokenVerifier(List.of(KEY1));
        for (TokenChallenge c : challenges()) {
            Client client = new Client(KEY1, new SecureRandom());
            PendingToken p = client.request(c);
            JsonNode issued = node("issue", keyFile, Base64Url.encode(p.request().encode()));
            assertThat(issued.get("tokenKeyId").asText()).isEqualTo(HexFormat.of().formatHex(KEY1.tokenKeyId()));
            Token token = client.finalizeToken(p, TokenResponse.decode(Base64Url.decode(issued.get("response").asText())));
            assertThat(verifier.verify(token, c).issuerKey()).isEqualTo(KEY1);

            JsonNode minted = node("mint", keyFile, Base64Url.encode(c.encode()));
            assertThat(minted.get("issuerVerifies").asBoolean()).isTrue();
            assertThat(Base64Url.decode(minted.get("tokenKey").asText())).isEqualTo(KEY1.spki());
            assertThat(verifier.verify(Token.decode(Base64Url.decode(minted.get("token").asText())), c).issuerKey())
                    .isEqualTo(KEY1);
        }
    }

    private static Token ourToken(IssuerPublicKey key, TokenChallenge c) throws Exception {
        Client client = new Client(key, new SecureRandom());
        PendingToken p = client.request(c);
        var r = fx.post(fx.http(false), p.request().encode(), "content-type", IssuerService.REQUEST_TYPE,
                "authorization", ALICE);
        assertThat(r.statusCode()).isEqualTo(200);
        return client.finalizeToken(p, TokenResponse.decode(r.body()));
    }

    record Result(int exit, String out, String err) { }

    private static JsonNode node(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("node", NODE_DIR.resolve("interop.mjs").toString()));
        cmd.addAll(Arrays.asList(args));
        Result r = run(cmd, 60);
        assertThat(r.exit()).as("node interop.mjs " + args[0] + ": " + r.err()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    private static Result run(List<String> cmd, int timeoutSeconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(NODE_DIR.toFile());
        if (fx != null) {
            pb.environment().put("NODE_EXTRA_CA_CERTS", fx.dir.resolve("ca.crt").toString()); // our test CA
        }
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
