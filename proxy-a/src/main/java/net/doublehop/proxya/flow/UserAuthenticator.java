package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.doublehop.protocol.privacypass.VerifiedToken;
import net.doublehop.runtime.auth.PrivacyPassRedeemer;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import net.doublehop.protocol.ProxyAuthorizationParser;
import net.doublehop.protocol.ProxyCredential;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.Secrets;

/**
 * Stage 2 at A, authenticate the user: a client certificate (its subject CN is the user), HTTP Basic against
 * the user file (bcrypt as htpasswd -B writes it, or Argon2id), or a pre-shared key. Both are slow on purpose, so they run
 * off the event loop, and a successful check is remembered briefly (keyed by a hash, never the password).
 * With {@code users.privacy-pass}, a Privacy Pass token stands in for an account: it is verified and spent
 * here (one tunnel per token), and the "user" it yields is the token itself, unlinkable to any other.
 */
public final class UserAuthenticator {

    static final ProxyFailure MISSING =
            new ProxyFailure(ProxyErrorType.HTTP_REQUEST_DENIED, 407, "proxy authentication required");
    static final ProxyFailure WRONG = ProxyFailure.denied("proxy authentication failed");

    private static final long CACHE_NANOS = 60_000_000_000L;

    private final Vertx vertx;
    /** Immutable: a hot reload builds a new authenticator (and so forgets remembered successes). */
    private final Map<String, String> bcryptByUser;
    private final List<String> presharedKeys;
    private final boolean mtls;
    private final Map<String, Long> verified = new ConcurrentHashMap<>();
    private final Optional<PrivacyPassRedeemer> privacyPass;

    public UserAuthenticator(Vertx vertx, Map<String, String> bcryptByUser, List<String> presharedKeys, boolean mtls) {
        this(vertx, bcryptByUser, presharedKeys, mtls, Optional.empty());
    }

    public UserAuthenticator(Vertx vertx, Map<String, String> bcryptByUser, List<String> presharedKeys, boolean mtls,
            Optional<PrivacyPassRedeemer> privacyPass) {
        this.vertx = vertx;
        this.privacyPass = privacyPass;
        this.bcryptByUser = Map.copyOf(bcryptByUser);
        this.presharedKeys = List.copyOf(presharedKeys);
        this.mtls = mtls;
    }

    /** Reads {@code name:hash} lines; bcrypt and Argon2id hashes are accepted ({@link PasswordHashes}). */
    public static Map<String, String> readUsersFile(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            int colon = t.indexOf(':');
            String hash = colon < 0 ? "" : t.substring(colon + 1);
            if (colon <= 0 || !PasswordHashes.isSupported(hash)) {
                throw new IllegalArgumentException("users.file line " + n
                        + ": expected name:<bcrypt or argon2id hash> (in " + file + ")");
            }
            out.put(t.substring(0, colon), hash);
        }
        return out;
    }

    /**
     * Completes with the user's name (for limits only; it never leaves A).
     *
     * @param header the credential ({@code Proxy-Authorization} at the proxy, {@code Authorization} at the
     *     issuer), or null
     * @param session the client's TLS session, or null on cleartext
     */
    public Future<String> authenticate(String header, SSLSession session) {
        if (mtls) {
            String cn = clientCertificateName(session);
            if (cn != null) {
                return Future.succeededFuture("cert:" + cn);
            }
        }
        if (header == null) {
            return Future.failedFuture(MISSING);
        }
        ProxyCredential c = ProxyAuthorizationParser.parse(header);
        if (c instanceof ProxyCredential.Preshared p) {
            boolean ok = false;
            for (String k : presharedKeys) {
                ok |= Secrets.constantTimeEquals(k, p.key());
            }
            return ok ? Future.succeededFuture("psk") : Future.failedFuture(WRONG);
        }
        if (c instanceof ProxyCredential.Basic b) {
            return basic(b.user(), b.password());
        }
        if (c instanceof ProxyCredential.PrivateToken && privacyPass.isPresent()) {
            VerifiedToken token = privacyPass.get().verify(header);
            return privacyPass.get().spend(token)
                    .map(v -> "token:" + HexFormat.of().formatHex(token.nonce()));
        }
        return Future.failedFuture(WRONG);
    }

    /** The {@code Proxy-Authenticate} values of a 407: Basic, and PrivateToken when tokens are accepted. */
    public List<String> challenges(String realm) {
        List<String> out = new java.util.ArrayList<>();
        out.add("Basic realm=\"" + realm + "\"");
        privacyPass.ifPresent(pp -> out.add(pp.challengeHeader()));
        return out;
    }

    private Future<String> basic(String user, String password) {
        String hash = bcryptByUser.get(user);
        String cacheKey = HexFormat.of().formatHex(Secrets.sha256(user + "\u0000" + password));
        Long until = verified.get(cacheKey);
        if (hash != null && until != null && until - System.nanoTime() > 0) {
            return Future.succeededFuture("user:" + user);
        }
        // Unknown users still cost a bcrypt so timing does not reveal which names exist.
        String check = hash != null ? hash : "$2b$10$" + "abcdefghijklmnopqrstuu" + "abcdefghijklmnopqrstuvwxyzABCDE";
        return vertx.executeBlocking(() -> PasswordHashes.verify(check, password), false)
                .compose(ok -> {
                    if (ok && hash != null) {
                        verified.put(cacheKey, System.nanoTime() + CACHE_NANOS);
                        return Future.succeededFuture("user:" + user);
                    }
                    return Future.failedFuture(WRONG);
                }, err -> Future.failedFuture(WRONG));
    }

    private static String clientCertificateName(SSLSession session) {
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                return x.getSubjectX500Principal().getName();
            }
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
        return null;
    }

    static boolean sameDigest(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
