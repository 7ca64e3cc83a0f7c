package net.doublehop.runtime.auth;

import io.vertx.core.Future;
import java.util.List;
import java.util.OptionalLong;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PrivacyPassException;
import net.doublehop.protocol.privacypass.PrivateTokenAuth;
import net.doublehop.protocol.privacypass.PrivateTokenChallenge;
import net.doublehop.protocol.privacypass.Token;
import net.doublehop.protocol.privacypass.TokenChallenge;
import net.doublehop.protocol.privacypass.TokenType;
import net.doublehop.protocol.privacypass.TokenVerifier;
import net.doublehop.protocol.privacypass.VerifiedToken;

/**
 * Privacy Pass redemption at a proxy (RFC 9577, token type 0x0002 of RFC 9578): the challenge a 407 carries,
 * and the check of {@code Proxy-Authorization: PrivateToken token=…}. The proxy's challenge has an empty
 * redemption context, so a client may fetch tokens before it connects (as the command-line client does) and
 * the proxy learns nothing that links two redemptions; each token is still good once, by the spent-token store.
 *
 * <p>Refusals: malformed credentials 400 {@code http_request_error}; a well-formed token this proxy does not
 * accept (unknown key, other challenge, bad authenticator, already spent) 403 {@code http_request_denied}; a full
 * or unreachable spent-token store 503 {@code proxy_internal_error}. Details are the library's constant reason codes, never token bytes.
 */
public final class PrivacyPassRedeemer {

    /**
     * @param issuerName the issuer_name of the challenge (the issuer whose keys are trusted)
     * @param originInfo the origin_info of the challenge; empty for tokens good at any proxy trusting the issuer
     * @param keys the issuer's public keys currently accepted (several during a rotation)
     * @param maxAge the max-age sent with the challenge, if any
     */
    public record Settings(String issuerName, String originInfo, List<IssuerPublicKey> keys, OptionalLong maxAge) {
        public Settings {
            keys = List.copyOf(keys);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("privacy pass: at least one issuer key");
            }
        }
    }

    static final ProxyFailure SPENT = ProxyFailure.denied("privacy pass token already spent");
    static final ProxyFailure STORE_FULL = new ProxyFailure(ProxyErrorType.PROXY_INTERNAL_ERROR, 503,
            "privacy pass spent-token store full");
    static final ProxyFailure STORE_UNAVAILABLE = new ProxyFailure(ProxyErrorType.PROXY_INTERNAL_ERROR, 503,
            "privacy pass spent-token store unavailable");

    private final TokenVerifier verifier;
    private final byte[] challengeDigest;
    private final SpentTokenStore spent;
    private final String challengeHeader;

    public PrivacyPassRedeemer(Settings settings, SpentTokenStore spent) {
        TokenChallenge challenge = new TokenChallenge(TokenType.BLIND_RSA_2048, settings.issuerName(), new byte[0],
                settings.originInfo());
        this.challengeDigest = challenge.digest();
        this.verifier = new TokenVerifier(settings.keys());
        this.spent = spent;
        // One challenge per accepted key (RFC 9577 §2.1), so a client holding tokens of any of them can use them.
        this.challengeHeader = PrivateTokenAuth.formatChallenges(settings.keys().stream()
                .map(k -> PrivateTokenChallenge.of(challenge, k, settings.maxAge())).toList());
    }

    /** The {@code Proxy-Authenticate} value for a 407. */
    public String challengeHeader() {
        return challengeHeader;
    }

    /** Checks a {@code Proxy-Authorization} value of the PrivateToken scheme; does not spend the token yet. */
    public VerifiedToken verify(String proxyAuthorization) {
        try {
            Token token = PrivateTokenAuth.parseCredentials(proxyAuthorization);
            return verifier.verify(token, List.of(challengeDigest));
        } catch (PrivacyPassException e) {
            throw e.reason().malformed()
                    ? ProxyFailure.badRequest("privacy pass: " + e.reason().code())
                    : ProxyFailure.denied("privacy pass: " + e.reason().code());
        }
    }

    /** Spends a verified token: succeeds the first time only. */
    public Future<Void> spend(VerifiedToken token) {
        // A store that failed instead of answering counts as unavailable: fail closed.
        return spent.spend(token.tokenKeyId(), token.nonce()).otherwise(SpentTokenStore.Outcome.UNAVAILABLE)
                .compose(outcome -> switch (outcome) {
            case FRESH -> Future.succeededFuture();
            case REPLAYED -> Future.failedFuture(SPENT);
            case FULL -> Future.failedFuture(STORE_FULL);
            case UNAVAILABLE -> Future.failedFuture(STORE_UNAVAILABLE);
        });
    }
}
