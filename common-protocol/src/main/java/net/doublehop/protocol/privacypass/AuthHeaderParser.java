package net.doublehop.protocol.privacypass;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * RFC 9110 §11 authentication header syntax: a list of challenges (WWW-Authenticate,
 * Proxy-Authenticate) or one set of credentials (Authorization, Proxy-Authorization).
 * <pre>
 * challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 * auth-param  = token BWS "=" BWS ( token / quoted-string )
 * token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * </pre>
 * A comma ends either a parameter or a challenge; what follows tells which: {@code token BWS "="}
 * is another parameter, anything else starts the next challenge.
 */
final class AuthHeaderParser {

    /** One challenge or set of credentials; the scheme and parameter names lower-cased (they are case-insensitive). */
    record Element(String scheme, String token68, Map<String, String> params) {
    }

    private final String s;
    private int i;

    private AuthHeaderParser(String s) {
        this.s = s;
    }

    static List<Element> challenges(String headerValue) {
        if (headerValue == null) {
            throw syntax("absent");
        }
        AuthHeaderParser p = new AuthHeaderParser(headerValue);
        List<Element> out = new ArrayList<>();
        while (true) {
            p.skipOwsAndCommas();
            if (p.atEnd()) {
                break;
            }
            out.add(p.element());
        }
        if (out.isEmpty()) {
            throw syntax("no challenge");
        }
        return out;
    }

    static Element credentials(String headerValue) {
        List<Element> all = challenges(headerValue);
        if (all.size() != 1) {
            throw syntax("credentials hold one scheme, not " + all.size());
        }
        return all.get(0);
    }

    private Element element() {
        String scheme = token();
        if (scheme.isEmpty()) {
            throw syntax("expected an auth-scheme at " + i);
        }
        Map<String, String> params = new LinkedHashMap<>();
        int afterScheme = i;
        skipOws();
        if (atEnd() || peek() == ',') {
            return new Element(lower(scheme), null, Map.of());
        }
        if (i == afterScheme || s.charAt(afterScheme) != ' ') {
            throw syntax("expected SP after the auth-scheme");
        }
        String token68 = token68();
        if (token68 != null) {
            return new Element(lower(scheme), token68, Map.of());
        }
        param(params);
        while (true) {
            skipOws();
            if (atEnd()) {
                break;
            }
            if (peek() != ',') {
                throw syntax("expected ',' at " + i);
            }
            skipOwsAndCommas();
            int mark = i;
            boolean another = !token().isEmpty();
            skipOws();
            another &= !atEnd() && peek() == '=';
            i = mark;
            if (!another) {
                break; // the next challenge starts here
            }
            param(params);
        }
        return new Element(lower(scheme), null, Collections.unmodifiableMap(params));
    }

    /** token68 if the text here is one that the list then ends or continues after; else null and nothing read. */
    private String token68() {
        int start = i;
        while (!atEnd() && isToken68Char(peek())) {
            i++;
        }
        if (i == start) {
            return null;
        }
        while (!atEnd() && peek() == '=') {
            i++;
        }
        int end = i;
        skipOws();
        if (atEnd() || peek() == ',') {
            return s.substring(start, end);
        }
        i = start;
        return null;
    }

    private void param(Map<String, String> params) {
        String name = token();
        if (name.isEmpty()) {
            throw syntax("expected a parameter name at " + i);
        }
        skipOws();
        if (atEnd() || peek() != '=') {
            throw syntax("expected '=' after " + name);
        }
        i++;
        skipOws();
        boolean quoted = !atEnd() && peek() == '"';
        String value = quoted ? quotedString() : token();
        if (!quoted && value.isEmpty()) {
            throw syntax("parameter " + name + " has no value");
        }
        if (params.put(lower(name), value) != null) {
            throw new MalformedException(Reason.DUPLICATE_PARAMETER, lower(name));
        }
    }

    private String quotedString() {
        StringBuilder out = new StringBuilder();
        i++; // opening DQUOTE
        while (!atEnd()) {
            char c = s.charAt(i++);
            if (c == '"') {
                return out.toString();
            }
            if (c == '\\') {
                if (atEnd() || !isQuotedPairChar(peek())) {
                    throw syntax("bad quoted-pair");
                }
                out.append(s.charAt(i++));
            } else if (c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff)) {
                out.append(c);
            } else {
                throw syntax("invalid character in quoted-string");
            }
        }
        throw syntax("unterminated quoted-string");
    }

    private String token() {
        int start = i;
        while (!atEnd() && isTchar(peek())) {
            i++;
        }
        return s.substring(start, i);
    }

    private void skipOws() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t')) {
            i++;
        }
    }

    private void skipOwsAndCommas() {
        while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == ',')) {
            i++;
        }
    }

    private boolean atEnd() {
        return i >= s.length();
    }

    private char peek() {
        return s.charAt(i);
    }

    private static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isToken68Char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~+/".indexOf(c) >= 0;
    }

    private static boolean isQuotedPairChar(char c) {
        return c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    private static MalformedException syntax(String detail) {
        return new MalformedException(Reason.HEADER_SYNTAX, detail);
    }
}
