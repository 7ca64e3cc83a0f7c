package net.doublehop.protocol.privacypass;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The PrivateToken HTTP authentication scheme (RFC 9577 §2): challenges as sent in WWW-Authenticate
 * (or, by a proxy, Proxy-Authenticate) and credentials as sent in Authorization (or
 * Proxy-Authorization); the syntax is the same for both pairs.
 * <pre>
 * WWW-Authenticate: PrivateToken challenge="&lt;b64url&gt;", token-key="&lt;b64url&gt;", max-age=10
 * Authorization: PrivateToken token="&lt;b64url&gt;"
 * </pre>
 * base64url values are sent padded, hence always as quoted-strings (padding '=' is not a token
 * character); on input both token and quoted-string forms are read, and padding is required
 * (see {@link Base64Url}). Unknown parameters, and "realm", are ignored (§2.1.2, §2.2.2).
 */
public final class PrivateTokenAuth {

    public static final String SCHEME = "PrivateToken";
    private static final String SCHEME_LOWER = "privatetoken";

    private PrivateTokenAuth() {
    }

    public static String formatChallenge(PrivateTokenChallenge c) {
        StringBuilder b = new StringBuilder(SCHEME).append(" challenge=\"").append(Base64Url.encode(c.challenge()))
                .append('"');
        if (c.hasTokenKey()) {
            b.append(", token-key=\"").append(Base64Url.encode(c.tokenKey())).append('"');
        }
        c.maxAge().ifPresent(s -> b.append(", max-age=").append(s));
        return b.toString();
    }

    /** Several challenges in one field value (RFC 9110 §11.6.1), in order of the origin's preference. */
    public static String formatChallenges(List<PrivateTokenChallenge> challenges) {
        return challenges.stream().map(PrivateTokenAuth::formatChallenge).collect(Collectors.joining(", "));
    }

    /**
     * The PrivateToken challenges of a WWW-Authenticate or Proxy-Authenticate value, in order; challenges
     * of other schemes are skipped. Several field lines are read by joining them with ", ". Any malformed
     * PrivateToken challenge makes the whole value refused (a client must then not act on it, §2.1.3).
     */
    public static List<PrivateTokenChallenge> parseChallenges(String headerValue) {
        List<PrivateTokenChallenge> out = new ArrayList<>();
        for (AuthHeaderParser.Element e : AuthHeaderParser.challenges(headerValue)) {
            if (!e.scheme().equals(SCHEME_LOWER)) {
                continue;
            }
            Map<String, String> p = e.params();
            byte[] challenge = Base64Url.decode(required(p, "challenge"));
            byte[] tokenKey = p.containsKey("token-key") ? Base64Url.decode(p.get("token-key")) : null;
            out.add(new PrivateTokenChallenge(challenge, tokenKey, maxAge(p.get("max-age"))));
        }
        return out;
    }

    public static String formatCredentials(Token token) {
        return SCHEME + " token=\"" + Base64Url.encode(token.encode()) + '"';
    }

    /** The Token of an Authorization or Proxy-Authorization value; refuses other schemes with WRONG_SCHEME. */
    public static Token parseCredentials(String headerValue) {
        AuthHeaderParser.Element e = AuthHeaderParser.credentials(headerValue);
        if (!e.scheme().equals(SCHEME_LOWER)) {
            throw new MalformedException(Reason.WRONG_SCHEME, "scheme " + e.scheme());
        }
        return Token.decode(Base64Url.decode(required(e.params(), "token")));
    }

    private static String required(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null) {
            throw new MalformedException(Reason.MISSING_PARAMETER, name);
        }
        return v;
    }

    /** max-age: "the number of seconds for which the challenge will be accepted" (§2.1.2), so 1*DIGIT. */
    private static OptionalLong maxAge(String v) {
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new MalformedException(Reason.INVALID_MAX_AGE, "not a number of seconds");
        }
        return OptionalLong.of(Long.parseLong(v));
    }
}
