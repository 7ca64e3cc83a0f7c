package net.doublehop.protocol.privacypass;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * The client side of a Privacy Pass issuer (RFC 9578 §4, §6, token type 2): reads its directory once, then fetches
 * tokens one request each, blinded so the issuer never sees them. Used by {@code proxy-a.jar tokens} and by the
 * local client, which fetches tokens on demand. Blocking (JDK HTTP client): call it off event loops.
 */
public final class IssuerClient {

    public static final String DIRECTORY_PATH = "/.well-known/private-token-issuer-directory";
    public static final String DIRECTORY_TYPE = "application/private-token-issuer-directory";
    public static final String REQUEST_TYPE = "application/private-token-request";
    public static final String RESPONSE_TYPE = "application/private-token-response";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** The issuer or its answer failed; {@code status} is the HTTP status when it answered with an error, else 0. */
    public static final class IssuerException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String retryAfter;
        private final String answerText;

        IssuerException(String message, int status, String retryAfter, String answerText) {
            super(message);
            this.status = status;
            this.retryAfter = retryAfter;
            this.answerText = answerText;
        }

        IssuerException(String message) {
            this(message, 0, null, "");
        }

        public int status() {
            return status;
        }

        /** The refusal's Retry-After (429), or "?". */
        public String retryAfter() {
            return retryAfter == null ? "?" : retryAfter;
        }

        /** ": " and the first line of a text/plain refusal, or "". */
        public String answerText() {
            return answerText;
        }
    }

    private final HttpClient http;
    private final URI tokenUri;
    private final IssuerPublicKey key;
    private final String authorization;

    private IssuerClient(HttpClient http, URI tokenUri, IssuerPublicKey key, String authorization) {
        this.http = http;
        this.tokenUri = tokenUri;
        this.key = key;
        this.authorization = authorization;
    }

    /**
     * Reads the directory at {@code issuer}: the request URI and the first token type 2 key in use, or the one
     * {@code wantedKey} names (SPKI bytes; null for any).
     *
     * @param authorization the attester's {@code Authorization} value for every token request, or null
     */
    public static IssuerClient open(HttpClient http, URI issuer, byte[] wantedKey, String authorization)
            throws IOException, InterruptedException, IssuerException {
        URI directoryUri = issuer.resolve(DIRECTORY_PATH);
        HttpResponse<byte[]> d = http.send(HttpRequest.newBuilder(directoryUri).timeout(TIMEOUT)
                .header("accept", DIRECTORY_TYPE).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (d.statusCode() != 200) {
            throw new IssuerException("issuer directory " + directoryUri + " answered " + d.statusCode()
                    + answerText(d), d.statusCode(), null, answerText(d));
        }
        JsonNode dir;
        try {
            dir = new ObjectMapper().readTree(d.body());
        } catch (IOException e) {
            throw new IssuerException("issuer directory " + directoryUri + " is not JSON");
        }
        JsonNode requestUri = dir == null ? null : dir.get("issuer-request-uri");
        if (requestUri == null || !requestUri.isTextual()) {
            throw new IssuerException("issuer directory has no issuer-request-uri");
        }
        URI tokenUri;
        try {
            tokenUri = directoryUri.resolve(requestUri.asText());
        } catch (IllegalArgumentException e) {
            throw new IssuerException("issuer directory's issuer-request-uri is not a URL");
        }
        return new IssuerClient(http, tokenUri, chooseKey(dir.get("token-keys"), wantedKey), authorization);
    }

    /** One token for {@code challenge}: a TokenRequest posted, the TokenResponse finalized (RFC 9578 §6). */
    public Token fetch(TokenChallenge challenge) throws IOException, InterruptedException, IssuerException {
        Client c = new Client(key, new SecureRandom());
        PendingToken pending = c.request(challenge);
        HttpRequest.Builder post = HttpRequest.newBuilder(tokenUri).timeout(TIMEOUT)
                .header("content-type", REQUEST_TYPE)
                .header("accept", RESPONSE_TYPE)
                .header("cache-control", "no-cache, no-store")
                .POST(HttpRequest.BodyPublishers.ofByteArray(pending.request().encode()));
        if (authorization != null) {
            post.header("authorization", authorization);
        }
        HttpResponse<byte[]> r = http.send(post.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IssuerException("the issuer answered " + r.statusCode() + answerText(r), r.statusCode(),
                    r.headers().firstValue("retry-after").orElse(null), answerText(r));
        }
        String type = r.headers().firstValue("content-type").orElse("");
        if (!type.strip().toLowerCase(Locale.ROOT).startsWith(RESPONSE_TYPE)) {
            throw new IssuerException("the issuer answered with content type '" + type + "', not " + RESPONSE_TYPE);
        }
        try {
            return c.finalizeToken(pending, TokenResponse.decode(r.body()));
        } catch (PrivacyPassException | BlindRsaException e) {
            throw new IssuerException("the issuer's TokenResponse does not give a valid token: " + e.getMessage());
        }
    }

    /** The wanted key, or the directory's first type-2 key already in use (RFC 9578 §4: order is preference). */
    private static IssuerPublicKey chooseKey(JsonNode list, byte[] wanted) throws IssuerException {
        if (list == null || !list.isArray()) {
            throw new IssuerException("issuer directory has no token-keys list");
        }
        long now = Instant.now().getEpochSecond();
        for (JsonNode k : list) {
            if (k.path("token-type").asInt(-1) != TokenType.BLIND_RSA_2048 || !k.path("token-key").isTextual()) {
                continue;
            }
            if (k.has("not-before") && k.get("not-before").asLong(0) > now) {
                continue;
            }
            IssuerPublicKey key;
            try {
                key = IssuerPublicKey.fromSpki(lenientBase64Url(k.get("token-key").asText()));
            } catch (PrivacyPassException e) {
                continue; // a key this client cannot use; another may do
            }
            if (wanted == null || Arrays.equals(wanted, key.spki())) {
                return key;
            }
        }
        throw new IssuerException(wanted == null ? "the issuer directory lists no token type 2 key in use"
                : "the issuer directory does not list the --token-key key (or it is not in use yet)");
    }

    /** base64url as RFC 9577 sends it (padded); the unpadded form is accepted too, since people paste it. */
    public static byte[] lenientBase64Url(String text) {
        String t = text.strip();
        try {
            return Base64Url.decode(t);
        } catch (MalformedException e) {
            if (e.reason() != Reason.UNPADDED_BASE64URL) {
                throw e;
            }
            return Base64Url.decode(t + "=".repeat((4 - t.length() % 4) % 4));
        }
    }

    /** ": " and the first line of a refusal's text body without control characters, or "". */
    private static String answerText(HttpResponse<byte[]> r) {
        String ct = r.headers().firstValue("content-type").orElse("");
        if (!ct.startsWith("text/plain") || r.body().length == 0) {
            return "";
        }
        String t = new String(r.body(), 0, Math.min(r.body().length, 200), StandardCharsets.UTF_8).strip();
        int nl = t.indexOf('\n');
        t = (nl < 0 ? t : t.substring(0, nl)).replaceAll("\\p{Cntrl}", "?");
        return t.isEmpty() ? "" : ": " + t;
    }
}
