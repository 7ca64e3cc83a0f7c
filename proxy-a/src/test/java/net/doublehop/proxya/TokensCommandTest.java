package net.doublehop.proxya;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.doublehop.protocol.privacypass.Base64Url;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.Token;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenVerifier;
import net.doublehop.proxya.issuer.IssuerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code proxy-a.jar tokens}: its main run in-process against a real issuer. */
class TokensCommandTest {

    static IssuerFixture fx;
    static final IssuerPublicKey KEY1 = IssuerFixture.publicKey(IssuerFixture.KEYS.get(0));
    static final IssuerPublicKey KEY2 = IssuerFixture.publicKey(IssuerFixture.KEYS.get(1));
    static final String ALICE = IssuerFixture.USER + ":" + IssuerFixture.PASSWORD;

    record Run(int code, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        fx = new IssuerFixture("keys: [issuer-1.pem, issuer-2.pem]\ntokens-per-user-per-hour: 20");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    static Run tokens(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "tokens";
        System.arraycopy(args, 0, all, 1, args.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String issuer() {
        return "https://127.0.0.1:" + fx.a.issuerPort();
    }

    static String cacert() {
        return fx.dir.resolve("ca.crt").toString();
    }

    /** Each line is exactly "Proxy-Authorization: " + formatCredentials(token), and each token verifies. */
    static List<Token> verify(Run r, int count, TokenChallenge challenge, IssuerPublicKey key) {
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(count);
        List<Token> tokens = new ArrayList<>();
        TokenVerifier verifier = new TokenVerifier(List.of(key));
        for (String line : r.lines()) {
            assertThat(line).startsWith("Proxy-Authorization: PrivateToken token=\"");
            Token t = PrivateTokenAuth.parseCredentials(line.substring("Proxy-Authorization: ".length()));
            assertThat(line).isEqualTo("Proxy-Authorization: " + PrivateTokenAuth.formatCredentials(t));
            assertThat(verifier.verify(t, challenge).issuerKey()).isEqualTo(key);
            tokens.add(t);
        }
        assertThat(tokens.stream().map(t -> Arrays.toString(t.nonce())).distinct()).hasSize(count);
        return tokens;
    }

    @Test
    void printsCountValidCredentialLinesForAnIssuerName() {
        Run r = tokens("--issuer", issuer(), "--cacert", cacert(), "--user", ALICE, "--issuer-name", "issuer.test",
                "--count", "3");
        verify(r, 3, new TokenChallenge(2, "issuer.test", new byte[0], ""), KEY1);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void aChallengeFromARedeemerWithContextAndOrigins() {
        byte[] context = new byte[32];
        Arrays.fill(context, (byte) 7);
        TokenChallenge c = new TokenChallenge(2, "issuer.test", context, "a.example,b.example");
        String b64 = Base64Url.encode(c.encode());
        verify(tokens("--issuer", issuer(), "--cacert", cacert(), "--preshared-key", IssuerFixture.PSK,
                "--challenge", b64), 1, c, KEY1);
        // People paste base64url without its padding too.
        verify(tokens("--issuer", issuer(), "--insecure", "--proxy-key", IssuerFixture.PSK,
                "--challenge", b64.replace("=", "")), 1, c, KEY1);
    }

    @Test
    void originInfoAndAChosenKeyAndAClientCertificate() throws Exception {
        fx.pki.client("bob-laptop").writeTo(fx.dir, "bob");
        TokenChallenge c = new TokenChallenge(2, "issuer.test", new byte[0], "origin.example");
        verify(tokens("--issuer", issuer(), "--cacert", cacert(), "--cert", fx.dir.resolve("bob.crt").toString(),
                "--key", fx.dir.resolve("bob.key").toString(), "--issuer-name", "issuer.test",
                "--origin-info", "origin.example", "--token-key", Base64Url.encode(KEY2.spki()), "--count", "2"),
                2, c, KEY2);
    }

    @Test
    void failuresAreExplained() {
        Run none = tokens("--issuer", issuer(), "--cacert", cacert(), "--issuer-name", "issuer.test");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("answered 401: credentials required: give --user, --preshared-key or --cert/--key");
        Run wrong = tokens("--issuer", issuer(), "--cacert", cacert(), "--user", "alice:nope", "--issuer-name", "x");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).contains("answered 401: credentials not accepted").doesNotContain("nope");
        Run untrusted = tokens("--issuer", issuer(), "--user", ALICE, "--issuer-name", "x");
        assertThat(untrusted.code()).isEqualTo(1);
        assertThat(untrusted.err()).contains("cannot reach the issuer");
        Run unknownKey = tokens("--issuer", issuer(), "--cacert", cacert(), "--user", ALICE, "--issuer-name", "x",
                "--token-key", Base64Url.encode(IssuerFixture.publicKey(net.doublehop.proxya.issuer.IssuerKeys
                        .generatePrivateKey(new java.security.SecureRandom())).spki()));
        assertThat(unknownKey.code()).isEqualTo(1);
        assertThat(unknownKey.err()).contains("does not list the --token-key key");
        Run closed = tokens("--issuer", "https://127.0.0.1:1", "--insecure", "--user", ALICE, "--issuer-name", "x");
        assertThat(closed.code()).isEqualTo(1);
        assertThat(closed.err()).contains("cannot reach the issuer: ConnectException");
    }

    @Test
    void theLimitStopsItAfterThePrintedTokens() throws Exception {
        try (IssuerFixture small = new IssuerFixture("keys: [issuer-1.pem]\ntokens-per-user-per-hour: 2")) {
            Run r = tokens("--issuer", "https://127.0.0.1:" + small.a.issuerPort(), "--cacert",
                    small.dir.resolve("ca.crt").toString(), "--user", ALICE, "--issuer-name", "issuer.test",
                    "--count", "3");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.lines()).hasSize(2);
            assertThat(r.err()).contains("2 token(s) printed, then the issuer answered 429: per-user token limit "
                    + "reached; retry after");
        }
    }

    @Test
    void helpAndBadUsage() {
        Run help = tokens("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("Usage: java -jar proxy-a.jar tokens --issuer URL").contains("--challenge")
                .contains("--issuer-name").contains("--origin-info").contains("--count").contains("--cacert")
                .contains("--insecure").contains("--user").contains("--preshared-key").contains("--cert")
                .contains("curl --proxy-header");
        assertThat(tokens("--help").out()).isEqualTo(help.out());
        String[][] bad = {
            {},
            {"--issuer-name", "x"},
            {"--issuer", issuer()},
            {"--issuer", issuer(), "--issuer-name", "x", "--challenge", "AAIA"},
            {"--issuer", "ftp://x", "--issuer-name", "x"},
            {"--issuer", issuer(), "--issuer-name", "x", "--count", "0"},
            {"--issuer", issuer(), "--issuer-name", "x", "--count", "many"},
            {"--issuer", issuer(), "--issuer-name", "x", "--user"},
            {"--issuer", issuer(), "--issuer-name", "x", "--bogus"},
            {"--issuer", issuer(), "--challenge", "not base64!"},
            {"--issuer", issuer(), "--challenge", Base64Url.encode(new TokenChallenge(1, "i", null, "").encode())},
            {"--issuer", issuer(), "--issuer-name", "has space"},
            {"--issuer", issuer(), "--issuer-name", "x", "--cert", cacert()},
            {"--issuer", issuer(), "--issuer-name", "x", "--cacert", "/nonexistent"},
            {"--issuer", issuer(), "--issuer-name", "x", "--insecure", "--cacert", cacert()},
            {"--issuer", issuer(), "--challenge", "AAIAAWkAAAA=", "--origin-info", "o"},
        };
        for (String[] args : bad) {
            Run r = tokens(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("proxy-a tokens: ");
            assertThat(r.out()).isEmpty();
        }
        assertThat(tokens("--issuer", issuer(), "--issuer-name", "x", "--count", "0").err())
                .contains("--count must be a number from 1 to 1000").contains("Usage:");
    }
}
