package net.doublehop.proxya;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import net.doublehop.protocol.privacypass.IssuerClient;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PrivacyPassException;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.Token;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenType;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * {@code java -jar proxy-a.jar tokens …}: fetches Privacy Pass tokens from an issuer (RFC 9578 §6, token
 * type 0x0002) and prints them as {@code Proxy-Authorization} lines for curl's {@code --proxy-header}.
 */
final class TokensCommand {

    static final String USAGE = """
            Usage: java -jar proxy-a.jar tokens --issuer URL (--challenge B64URL | --issuer-name NAME)
                                                [--user NAME[:PASSWORD] | --preshared-key KEY | --cert FILE --key FILE]
                                                [--count N] [--cacert FILE | --insecure]

            Fetches Privacy Pass tokens (RFC 9578, token type 2: publicly verifiable Blind RSA) from an issuer,
            such as the one Proxy A runs with the issuer section of its config, and prints one line per token,
            ready for curl --proxy-header:

              Proxy-Authorization: PrivateToken token="..."

            The issuer's directory (URL/.well-known/private-token-issuer-directory) gives the request URI and
            the keys; the first key already in use is taken, or the one --token-key names. The issuer learns
            who asks (it attests Proxy A's users) but not the challenge; a redeemer learns the challenge but not
            who asked. Each token is good for one redemption.

            Issuer:
              --issuer URL            https://host:port of the issuer (required)
              --cacert FILE           PEM CA certificate(s) for the issuer's certificate (default: Java's trust store)
              --insecure              do not verify the issuer's certificate (development only)
              --token-key B64URL      use this key of the directory (the token-key of an origin's challenge)

            Challenge (one of):
              --challenge B64URL      a TokenChallenge as a redeemer sent it (the challenge= of its PrivateToken
                                      WWW-Authenticate or Proxy-Authenticate); it must be of token type 2
              --issuer-name NAME      build the challenge here: token type 2, issuer_name NAME, no redemption
                                      context, so any redeemer that trusts NAME accepts the token once
              --origin-info NAMES     with --issuer-name: origin names, comma separated (default: none = any)

            Credentials for the issuer's attester, Proxy A's users (one of):
              --user NAME[:PASSWORD]  HTTP Basic; without :PASSWORD the password is read from the console
              --preshared-key KEY     Authorization: Preshared KEY (also --proxy-key)
              --cert FILE --key FILE  TLS client certificate (PEM) and its private key (PEM)

            Other:
              --count N               tokens to fetch, 1 to 1000 (default 1); each counts against the issuer's
                                      per-user limit
              --help                  show this help

            Example:
              java -jar proxy-a.jar tokens --issuer https://127.0.0.1:7444 --cacert run/dev/ca.crt \\
                   --user alice:wonderland --issuer-name issuer.example --count 2

            Exit codes: 0 every token printed, 1 the issuer or the network failed (tokens printed before the
            failure are good), 2 bad usage.
            """;

    static final int MAX_COUNT = 1000;
    private static final String NAME = "proxy-a tokens";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Bad usage: exit code 2 with the usage text. */
    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A failure talking to the issuer: exit code 1. */
    private static final class FetchException extends Exception {
        private static final long serialVersionUID = 1L;

        FetchException(String message) {
            super(message);
        }
    }

    private record Options(URI issuer, TokenChallenge challenge, byte[] tokenKey, String authorization,
            Path cacert, boolean insecure, Path cert, Path key, int count) { }

    private TokensCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options o;
        try {
            o = parse(args);
        } catch (UsageException e) {
            err.println(NAME + ": " + e.getMessage() + "\n");
            err.print(USAGE);
            return 2;
        }
        try {
            fetch(o, out);
            return 0;
        } catch (FetchException e) {
            err.println(NAME + ": " + e.getMessage());
            return 1;
        } catch (UsageException e) {
            err.println(NAME + ": " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println(NAME + ": cannot reach the issuer: " + describe(e));
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println(NAME + ": interrupted");
            return 1;
        }
    }

    private static Options parse(String[] args) throws UsageException {
        URI issuer = null;
        String challenge = null;
        String issuerName = null;
        String originInfo = null;
        String tokenKey = null;
        String user = null;
        String psk = null;
        Path cacert = null;
        Path cert = null;
        Path key = null;
        boolean insecure = false;
        int count = 1;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--insecure" -> insecure = true;
                case "--issuer", "--challenge", "--issuer-name", "--origin-info", "--token-key", "--user",
                        "--preshared-key", "--proxy-key", "--cacert", "--cert", "--key", "--count" -> {
                    if (i + 1 >= args.length) {
                        throw new UsageException(a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--issuer" -> issuer = issuerUri(v);
                        case "--challenge" -> challenge = v;
                        case "--issuer-name" -> issuerName = v;
                        case "--origin-info" -> originInfo = v;
                        case "--token-key" -> tokenKey = v;
                        case "--user" -> user = v;
                        case "--preshared-key", "--proxy-key" -> psk = v;
                        case "--cacert" -> cacert = readableFile(a, v);
                        case "--cert" -> cert = readableFile(a, v);
                        case "--key" -> key = readableFile(a, v);
                        default -> count = count(v);
                    }
                }
                default -> throw new UsageException("unknown argument '" + a + "'");
            }
        }
        if (issuer == null) {
            throw new UsageException("--issuer URL is required");
        }
        if ((challenge == null) == (issuerName == null)) {
            throw new UsageException("give exactly one of --challenge and --issuer-name");
        }
        if (originInfo != null && issuerName == null) {
            throw new UsageException("--origin-info goes with --issuer-name (a --challenge already holds its origins)");
        }
        if ((user != null) && (psk != null)) {
            throw new UsageException("give one of --user and --preshared-key");
        }
        if ((cert == null) != (key == null)) {
            throw new UsageException("--cert and --key go together");
        }
        if (insecure && cacert != null) {
            throw new UsageException("--insecure and --cacert exclude each other");
        }
        TokenChallenge tc = challenge != null ? decodeChallenge(challenge) : buildChallenge(issuerName, originInfo);
        byte[] tk = null;
        if (tokenKey != null) {
            try {
                tk = IssuerClient.lenientBase64Url(tokenKey);
                IssuerPublicKey.fromSpki(tk);
            } catch (PrivacyPassException e) {
                throw new UsageException("--token-key is not a token type 2 issuer key: " + e.getMessage());
            }
        }
        String authorization = null;
        if (user != null) {
            authorization = "Basic " + Base64.getEncoder().encodeToString(basic(user).getBytes(StandardCharsets.UTF_8));
        } else if (psk != null) {
            if (psk.isBlank() || psk.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
                throw new UsageException("--preshared-key must be visible ASCII without spaces");
            }
            authorization = "Preshared " + psk;
        }
        return new Options(issuer, tc, tk, authorization, cacert, insecure, cert, key, count);
    }

    private static URI issuerUri(String v) throws UsageException {
        URI u;
        try {
            u = new URI(v);
        } catch (java.net.URISyntaxException e) {
            throw new UsageException("--issuer is not a URL: " + v);
        }
        if (u.getScheme() == null || !(u.getScheme().equalsIgnoreCase("https") || u.getScheme().equalsIgnoreCase("http"))
                || u.getHost() == null) {
            throw new UsageException("--issuer must be https://host[:port]");
        }
        return u;
    }

    private static Path readableFile(String option, String v) throws UsageException {
        Path p = Path.of(v);
        if (!Files.isReadable(p)) {
            throw new UsageException(option + ": cannot read " + v);
        }
        return p;
    }

    private static int count(String v) throws UsageException {
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_COUNT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new UsageException("--count must be a number from 1 to " + MAX_COUNT);
    }

    private static String basic(String user) throws UsageException {
        int colon = user.indexOf(':');
        if (colon == 0) {
            throw new UsageException("--user needs a name before ':'");
        }
        if (colon > 0) {
            return user;
        }
        java.io.Console console = System.console();
        if (console == null) {
            throw new UsageException("--user " + user + " has no password and there is no console to ask for one: "
                    + "give --user NAME:PASSWORD");
        }
        char[] pw = console.readPassword("Password for %s: ", user);
        if (pw == null) {
            throw new UsageException("no password given");
        }
        return user + ":" + new String(pw);
    }

    private static TokenChallenge decodeChallenge(String b64) throws UsageException {
        TokenChallenge tc;
        try {
            tc = TokenChallenge.decode(IssuerClient.lenientBase64Url(b64));
        } catch (PrivacyPassException e) {
            throw new UsageException("--challenge is not a TokenChallenge: " + e.getMessage());
        }
        if (tc.tokenType() != TokenType.BLIND_RSA_2048) {
            throw new UsageException(String.format("--challenge is for token type 0x%04x; this client fetches "
                    + "token type 2 (Blind RSA) only", tc.tokenType()));
        }
        return tc;
    }

    private static TokenChallenge buildChallenge(String issuerName, String originInfo) throws UsageException {
        try {
            return new TokenChallenge(TokenType.BLIND_RSA_2048, issuerName, new byte[0],
                    originInfo == null ? "" : originInfo);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--issuer-name/--origin-info: " + e.getMessage());
        }
    }

    private static void fetch(Options o, PrintStream out) throws IOException, InterruptedException, FetchException,
            UsageException {
        HttpClient http = HttpClient.newBuilder().sslContext(sslContext(o)).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        IssuerClient issuer;
        try {
            issuer = IssuerClient.open(http, o.issuer(), o.tokenKey(), o.authorization());
        } catch (IssuerClient.IssuerException e) {
            throw new FetchException(e.getMessage());
        }
        for (int i = 0; i < o.count(); i++) {
            Token token;
            try {
                token = issuer.fetch(o.challenge());
            } catch (IssuerClient.IssuerException e) {
                throw new FetchException(e.status() == 0 ? e.getMessage() : refusal(e, i, o));
            }
            out.println("Proxy-Authorization: " + PrivateTokenAuth.formatCredentials(token));
            out.flush();
        }
    }

    private static String refusal(IssuerClient.IssuerException r, int done, Options o) {
        String prefix = (done > 0 ? done + " token(s) printed, then " : "") + "the issuer answered " + r.status();
        return switch (r.status()) {
            case 401 -> prefix + ": credentials " + (o.authorization() == null && o.cert() == null ? "required: give "
                    + "--user, --preshared-key or --cert/--key" : "not accepted");
            case 429 -> prefix + ": per-user token limit reached; retry after " + r.retryAfter() + " s";
            default -> prefix + r.answerText();
        };
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static SSLContext sslContext(Options o) throws UsageException {
        try {
            TrustManager[] trust = null;
            if (o.insecure()) {
                trust = new TrustManager[] {new TrustAll()};
            } else if (o.cacert() != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                Collection<? extends Certificate> cas = readCertificates(o.cacert(), "--cacert");
                int n = 0;
                for (Certificate c : cas) {
                    ks.setCertificateEntry("ca-" + n++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                trust = tmf.getTrustManagers();
            }
            javax.net.ssl.KeyManager[] keys = null;
            if (o.cert() != null) {
                List<Certificate> chain = new ArrayList<>(readCertificates(o.cert(), "--cert"));
                PrivateKey pk = readPrivateKey(o.key());
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pw = new char[0];
                ks.setKeyEntry("client", pk, pw, chain.toArray(new Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
                keys = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new UsageException("TLS setup failed: " + e.getMessage());
        }
    }

    private static Collection<? extends Certificate> readCertificates(Path file, String option)
            throws UsageException, IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (var in = Files.newInputStream(file)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new UsageException(option + ": no PEM certificate in " + file);
        }
        return certs;
    }

    private static PrivateKey readPrivateKey(Path file) throws UsageException, IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            if (o instanceof PEMKeyPair kp) {
                return conv.getKeyPair(kp).getPrivate();
            }
        } catch (IOException | RuntimeException e) {
            // reported below
        }
        throw new UsageException("--key: " + file + " is not an unencrypted PEM private key");
    }

    /** --insecure: any certificate, any name (an X509ExtendedTrustManager, so JSSE adds no host check). */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) { }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
