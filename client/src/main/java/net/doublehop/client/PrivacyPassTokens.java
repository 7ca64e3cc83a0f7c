package net.doublehop.client;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import net.doublehop.protocol.privacypass.IssuerClient;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenType;

/**
 * Privacy Pass tokens (RFC 9578, token type 2) from A's issuer, fetched on demand in small batches and cached: each
 * tunnel spends one ({@code Proxy-Authorization: PrivateToken token=…}). The issuer attests the user by Basic
 * credentials and learns how many tokens they took, never which tunnel spent which; the proxy redeeming a token
 * learns that it is valid, never whose it is. The challenge names the issuer and no origin or redemption context,
 * as {@code proxy-a.jar tokens --issuer-name} builds it.
 */
final class PrivacyPassTokens implements Authorization {

    /** Tokens fetched at once: a page load opens a few tunnels together. */
    static final int BATCH = 4;

    private final Vertx vertx;
    private final ClientOptions.PrivacyPass settings;
    private final HttpClient http;
    private final TokenChallenge challenge;
    private final ArrayDeque<String> cached = new ArrayDeque<>();
    private IssuerClient issuer;

    PrivacyPassTokens(Vertx vertx, ClientOptions.PrivacyPass settings, Optional<Path> cacert, boolean insecure) {
        this.vertx = vertx;
        this.settings = settings;
        this.challenge = new TokenChallenge(TokenType.BLIND_RSA_2048, settings.issuerName(), new byte[0], "");
        this.http = HttpClient.newBuilder().sslContext(tls(vertx, cacert, insecure))
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Future<String> next() {
        synchronized (cached) {
            String t = cached.poll();
            if (t != null) {
                return Future.succeededFuture(t);
            }
        }
        // ordered: concurrent misses queue behind one batch instead of each fetching their own
        return vertx.executeBlocking(this::take, true);
    }

    /** A cached token, or a fresh batch of which the first is returned. Runs on a worker thread. */
    private String take() throws Exception {
        synchronized (cached) {
            String t = cached.poll();
            if (t != null) {
                return t;
            }
        }
        if (issuer == null) {
            issuer = IssuerClient.open(http, settings.issuer(), null, settings.attester().header());
        }
        String first = header(issuer);
        for (int i = 1; i < BATCH; i++) {
            String t = header(issuer);
            synchronized (cached) {
                cached.add(t);
            }
        }
        return first;
    }

    private String header(IssuerClient issuer) throws Exception {
        return PrivateTokenAuth.formatCredentials(issuer.fetch(challenge));
    }

    private static SSLContext tls(Vertx vertx, Optional<Path> cacert, boolean insecure) {
        try {
            TrustManager[] trust = null;
            if (insecure) {
                trust = InsecureTrustManagerFactory.INSTANCE.getTrustManagers();
            } else if (cacert.isPresent()) {
                trust = new PemTrustOptions().addCertPath(cacert.get().toString()).getTrustManagerFactory(vertx)
                        .getTrustManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, trust, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("issuer TLS: " + e.getMessage(), e);
        }
    }
}
