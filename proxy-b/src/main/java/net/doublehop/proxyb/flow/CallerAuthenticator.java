package net.doublehop.proxyb.flow;

import net.doublehop.runtime.trace.Stage;
import io.vertx.core.Future;
import net.doublehop.runtime.listen.ProxyExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyAuthorizationParser;
import net.doublehop.protocol.ProxyCredential;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.auth.PrivacyPassRedeemer;

/**
 * Stage 2, authenticate: a client certificate verified against {@code tls.client-ca},
 * {@code Proxy-Authorization: Preshared <key>}, or a Privacy Pass token ({@code PrivateToken token=…},
 * verified here and spent by {@link #spendToken} once the request has passed the synchronous stages, so a
 * request refused for a bad geohash does not cost the user a token). Nothing at all gets 407 with
 * a challenge per configured scheme; wrong credentials get 403.
 */
public final class CallerAuthenticator implements Stage<TunnelContext> {

    /** RFC 9110 §15.5.8: 407 tells the client which scheme to use. */
    static final ProxyFailure CREDENTIALS_MISSING =
            new ProxyFailure(ProxyErrorType.HTTP_REQUEST_DENIED, 407, "proxy authentication required");
    static final ProxyFailure CREDENTIALS_WRONG = ProxyFailure.denied("proxy authentication failed");
    static final ProxyFailure SCHEME_UNSUPPORTED = ProxyFailure.denied("proxy authentication scheme not supported");

    private final List<byte[]> keyDigests;
    private final boolean mtlsEnabled;
    private final boolean allowUnauthenticated;
    private final Optional<PrivacyPassRedeemer> privacyPass;

    public CallerAuthenticator(List<String> presharedKeys, boolean mtlsEnabled, boolean allowUnauthenticated,
            Optional<PrivacyPassRedeemer> privacyPass) {
        this.privacyPass = privacyPass;
        // Compare digests, not keys: equal length inputs make MessageDigest.isEqual constant-time
        // regardless of the caller's key length.
        this.keyDigests = presharedKeys.stream().map(CallerAuthenticator::sha256).toList();
        this.mtlsEnabled = mtlsEnabled;
        this.allowUnauthenticated = allowUnauthenticated;
    }

    @Override
    public void apply(TunnelContext ctx) {
        ProxyExchange req = ctx.request();
        if (mtlsEnabled && hasVerifiedClientCertificate(req)) {
            ctx.caller(TunnelContext.Caller.MTLS);
            return;
        }
        String header = req.header(HeaderNames.PROXY_AUTHORIZATION);
        if (header == null) {
            if (allowUnauthenticated) {
                ctx.caller(TunnelContext.Caller.ANONYMOUS);
                return;
            }
            throw CREDENTIALS_MISSING;
        }
        ProxyCredential credential = ProxyAuthorizationParser.parse(header);
        if (credential instanceof ProxyCredential.PrivateToken && privacyPass.isPresent()) {
            ctx.token(privacyPass.get().verify(header));
            ctx.caller(TunnelContext.Caller.PRIVACY_PASS);
            return;
        }
        if (!(credential instanceof ProxyCredential.Preshared preshared)) {
            throw SCHEME_UNSUPPORTED;
        }
        if (!matchesAnyKey(preshared.key())) {
            throw CREDENTIALS_WRONG;
        }
        ctx.caller(TunnelContext.Caller.PRESHARED_KEY);
    }

    /** Spends the request's Privacy Pass token, if it came with one: each token is good once. */
    public Future<Void> spendToken(TunnelContext ctx) {
        return ctx.token() == null ? Future.succeededFuture() : privacyPass.orElseThrow().spend(ctx.token());
    }

    /** Walks every key without stopping early so timing does not tell which key (or whether one) matched. */
    private boolean matchesAnyKey(String candidate) {
        byte[] digest = sha256(candidate);
        boolean match = false;
        for (byte[] key : keyDigests) {
            match |= MessageDigest.isEqual(key, digest);
        }
        return match;
    }

    /** The TLS layer already verified the chain against the client CA; a presented certificate is a pass. */
    private static boolean hasVerifiedClientCertificate(ProxyExchange req) {
        SSLSession session = req.sslSession();
        if (session == null) {
            return false;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain != null && chain.length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
