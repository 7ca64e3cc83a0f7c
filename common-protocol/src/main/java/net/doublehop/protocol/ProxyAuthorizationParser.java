package net.doublehop.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Parses {@code Proxy-Authorization} (RFC 9110 §11.4: {@code scheme token68} or {@code scheme auth-params}). */
public final class ProxyAuthorizationParser {

    static final String MALFORMED = "malformed Proxy-Authorization";

    private ProxyAuthorizationParser() {
    }

    public static ProxyCredential parse(String headerValue) {
        if (headerValue == null || headerValue.isBlank()) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        String v = headerValue.strip();
        int sp = v.indexOf(' ');
        String scheme = (sp < 0 ? v : v.substring(0, sp)).toLowerCase(Locale.ROOT); // schemes are case-insensitive
        String rest = sp < 0 ? "" : v.substring(sp + 1).strip();
        return switch (scheme) {
            case "preshared" -> preshared(rest);
            case "basic" -> basic(rest);
            case "privatetoken" -> privateToken(rest);
            default -> new ProxyCredential.Unknown(scheme);
        };
    }

    private static ProxyCredential preshared(String rest) {
        if (rest.isEmpty() || rest.indexOf(' ') >= 0 || rest.indexOf('\t') >= 0) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        return new ProxyCredential.Preshared(rest);
    }

    private static ProxyCredential basic(String rest) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(rest), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        int colon = decoded.indexOf(':');
        if (rest.isEmpty() || colon < 0) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        return new ProxyCredential.Basic(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private static ProxyCredential privateToken(String rest) {
        String token = authParams(rest).get("token");
        if (token == null || token.isEmpty()) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        return new ProxyCredential.PrivateToken(token);
    }

    /** RFC 9110 §11.2 auth-params: {@code name=token} or {@code name="quoted"}, comma separated. */
    static Map<String, String> authParams(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == ',' || s.charAt(i) == '\t')) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int eq = s.indexOf('=', i);
            if (eq < 0) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
            String name = s.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
            i = eq + 1;
            while (i < n && s.charAt(i) == ' ') {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(s.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw ProxyFailure.badRequest(MALFORMED);
                }
            } else {
                // token68 may end in '=' padding, so read to the next comma rather than the next '='.
                while (i < n && s.charAt(i) != ',' && s.charAt(i) != ' ') {
                    value.append(s.charAt(i++));
                }
            }
            if (out.put(name, value.toString()) != null) {
                throw ProxyFailure.badRequest(MALFORMED); // a repeated parameter is ambiguous
            }
        }
        return out;
    }
}
