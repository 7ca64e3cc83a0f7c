package net.doublehop.protocol.masque;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A UDP proxy URI template (RFC 9298 §2): validated once at configuration load, then used by the
 * proxy to match request targets and extract {@code target_host} / {@code target_port}, and by a
 * client to expand a target into a request URI.
 *
 * <p>Supported: the RFC 6570 level-3 subset RFC 9298 allows, that is simple expansion
 * ({@code {var}}, {@code {a,b}}) and form-style query expansion ({@code {?a,b}}, {@code {&a,b}}).
 * Refused at load, as RFC 9298 §2 requires: non-ASCII or characters outside 0x21-0x7E, a relative
 * template or one without authority or path, a path not starting with "/", variables outside path
 * and query, a missing {@code target_host} or {@code target_port}, the "+", "#", ".", "/" and ";"
 * operators, level-4 modifiers ({@code :n}, {@code *}), RFC 6570 syntax errors.
 *
 * <p>Also refused, so that matching is unambiguous and linear (this implementation's restriction,
 * not the RFC's): a variable named twice; two expressions in a row unless the second starts the
 * query or continues it ({@code {?..}}, {@code {&..}}); an expression followed by a literal that
 * starts with a character a value may contain (an unreserved character or '%'); "{?...}" after the
 * query has started, "{&...}" before; a '#' (an absolute URI has no fragment).
 */
public final class MasqueUriTemplate {

    public static final String TARGET_HOST = "target_host";
    public static final String TARGET_PORT = "target_port";

    /**
     * Path of the default template (RFC 9298 §2), to append to {@code https://$PROXY_HOST:$PROXY_PORT};
     * see {@link #defaultFor(String, int)}.
     */
    public static final String DEFAULT_PATH_TEMPLATE = "/.well-known/masque/udp/{target_host}/{target_port}/";

    private static final int MAX_TEMPLATE_LENGTH = 2048;

    /** One piece of the path-and-query part of a template. */
    private sealed interface Part {
    }

    private record Literal(String text) implements Part {
    }

    /** {@code op} is 0 for simple expansion, '?' or '&' for form-style query expansion. */
    private record Expression(char op, List<String> names) implements Part {
        boolean isSimple() {
            return op == 0;
        }
    }

    /** Outcome of {@link #match(String)}. */
    public sealed interface Match {
    }

    /** The request is for this template, with a valid target. */
    public record Matched(UdpTarget target) implements Match {
    }

    /** The request target does not have this template's shape: not a UDP proxying resource (404). */
    public record NoMatch() implements Match {
    }

    /** The request has this template's shape, but the target is invalid (400). */
    public record Rejected(TargetError error) implements Match {
    }

    private static final NoMatch NO_MATCH = new NoMatch();

    private final String template;
    private final String scheme;
    private final String authority;
    private final List<Part> parts;

    private MasqueUriTemplate(String template, String scheme, String authority, List<Part> parts) {
        this.template = template;
        this.scheme = scheme;
        this.authority = authority;
        this.parts = parts;
    }

    // ---- loading ---------------------------------------------------------------------------------

    /**
     * The default template for a proxy configured only by host and port (RFC 9298 §2):
     * {@code https://$PROXY_HOST:$PROXY_PORT/.well-known/masque/udp/{target_host}/{target_port}/}.
     */
    public static MasqueUriTemplate defaultFor(String proxyHost, int proxyPort) {
        Objects.requireNonNull(proxyHost, "proxyHost");
        if (proxyPort < 1 || proxyPort > 65535) {
            throw new IllegalArgumentException("proxy port out of range: " + proxyPort);
        }
        String host = proxyHost.indexOf(':') >= 0 && !proxyHost.startsWith("[") ? "[" + proxyHost + "]" : proxyHost;
        return parse("https://" + host + ":" + proxyPort + DEFAULT_PATH_TEMPLATE);
    }

    /** Parses and validates a configured template; the message says what is wrong with it. */
    public static MasqueUriTemplate parse(String template) {
        if (template == null || template.isEmpty()) {
            throw invalid("the URI template is empty");
        }
        if (template.length() > MAX_TEMPLATE_LENGTH) {
            throw invalid("the URI template is longer than " + MAX_TEMPLATE_LENGTH + " characters");
        }
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw invalid("the URI template may only contain ASCII characters 0x21-0x7E (RFC 9298 §2)");
            }
        }
        int colon = template.indexOf(':');
        if (colon <= 0 || !isScheme(template.substring(0, colon))) {
            throw invalid("the URI template must be absolute, starting with a scheme (RFC 9298 §2)");
        }
        if (!template.startsWith("//", colon + 1)) {
            throw invalid("the URI template must have an authority: scheme://authority/path (RFC 9298 §2)");
        }
        int authStart = colon + 3;
        int authEnd = authStart;
        while (authEnd < template.length() && "/?#{".indexOf(template.charAt(authEnd)) < 0) {
            authEnd++;
        }
        String authority = template.substring(authStart, authEnd);
        checkAuthority(authority);
        if (authEnd == template.length() || template.charAt(authEnd) != '/') {
            if (authEnd < template.length() && template.charAt(authEnd) == '{') {
                throw invalid("template variables must be in the path or query, not the authority (RFC 9298 §2)");
            }
            throw invalid("the URI template's path must be non-empty and start with '/' (RFC 9298 §2)");
        }
        List<Part> parts = tokenize(template.substring(authEnd));
        checkParts(parts);
        return new MasqueUriTemplate(template, template.substring(0, colon), authority, List.copyOf(parts));
    }

    private static IllegalArgumentException invalid(String why) {
        return new IllegalArgumentException("invalid CONNECT-UDP URI template: " + why);
    }

    private static boolean isScheme(String s) {
        if (!Character.isLetter(s.charAt(0)) || s.charAt(0) > 0x7f) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(PercentCoding.isUnreserved(c) && c != '_' && c != '~') && c != '+') {
                return false;
            }
        }
        return true;
    }

    // RFC 3986 §3.2: authority characters; userinfo is refused (RFC 9110 §4.2.4 forbids it for http(s)).
    private static void checkAuthority(String authority) {
        if (authority.isEmpty()) {
            throw invalid("the URI template's authority is empty (RFC 9298 §2)");
        }
        if (authority.indexOf('@') >= 0) {
            throw invalid("the URI template's authority must not carry userinfo");
        }
        for (int i = 0; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (!PercentCoding.isUnreserved(c) && "!$&'()*+,;=:[]%".indexOf(c) < 0) {
                throw invalid("the URI template's authority has a character not allowed there");
            }
        }
        if (!PercentCoding.isWellFormed(authority)) {
            throw invalid("malformed percent-encoding in the URI template");
        }
    }

    /** Splits path and query into literals and expressions (RFC 6570 §2). */
    private static List<Part> tokenize(String rest) {
        List<Part> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < rest.length()) {
            char c = rest.charAt(i);
            if (c == '{') {
                int end = rest.indexOf('}', i);
                if (end < 0) {
                    throw invalid("unclosed '{' in the URI template");
                }
                String body = rest.substring(i + 1, end);
                if (body.indexOf('{') >= 0) {
                    throw invalid("nested '{' in the URI template");
                }
                if (literal.length() > 0) {
                    parts.add(new Literal(literal.toString()));
                    literal.setLength(0);
                }
                parts.add(expression(body));
                i = end + 1;
                continue;
            }
            if (c == '}') {
                throw invalid("unmatched '}' in the URI template");
            }
            if (c == '#') {
                throw invalid("the URI template must not have a fragment (absolute form, RFC 9298 §2)");
            }
            // RFC 6570 §2.1 literals: not " ' < > \ ^ ` |, and '%' only in a pct-encoded triplet.
            if ("\"'<>\\^`|".indexOf(c) >= 0) {
                throw invalid("character '" + c + "' is not allowed in a URI template literal (RFC 6570 §2.1)");
            }
            literal.append(c);
            i++;
        }
        if (literal.length() > 0) {
            parts.add(new Literal(literal.toString()));
        }
        for (Part p : parts) {
            if (p instanceof Literal l && !PercentCoding.isWellFormed(l.text())) {
                throw invalid("malformed percent-encoding in the URI template");
            }
        }
        return parts;
    }

    /** Parses the inside of "{...}" (RFC 6570 §2.2-2.4), keeping only what RFC 9298 §2 allows. */
    private static Expression expression(String body) {
        if (body.isEmpty()) {
            throw invalid("empty expression '{}' in the URI template");
        }
        char first = body.charAt(0);
        if ("+#./;".indexOf(first) >= 0) {
            throw invalid("operator '" + first + "' is not allowed in a CONNECT-UDP URI template (RFC 9298 §2)");
        }
        if ("=,!@|".indexOf(first) >= 0) {
            throw invalid("operator '" + first + "' is reserved (RFC 6570 §2.2)");
        }
        char op = first == '?' || first == '&' ? first : 0;
        String list = op == 0 ? body : body.substring(1);
        List<String> names = new ArrayList<>();
        for (String varspec : list.split(",", -1)) {
            if (varspec.indexOf(':') >= 0 || varspec.endsWith("*")) {
                throw invalid("prefix and explode modifiers are level 4; the template must be level 3 or lower (RFC 9298 §2)");
            }
            if (!isVarname(varspec)) {
                throw invalid("malformed variable name in the URI template (RFC 6570 §2.3)");
            }
            names.add(varspec);
        }
        return new Expression(op, List.copyOf(names));
    }

    // varname = varchar *( ["."] varchar ); varchar = ALPHA / DIGIT / "_" / pct-encoded
    private static boolean isVarname(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || !PercentCoding.isHexDigit(s.charAt(i + 1))
                        || !PercentCoding.isHexDigit(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (!(PercentCoding.isUnreserved(c) && c != '-' && c != '~')) {
                return false;
            }
        }
        return true;
    }

    private static void checkParts(List<Part> parts) {
        Set<String> seen = new HashSet<>();
        boolean inQuery = false;
        for (int k = 0; k < parts.size(); k++) {
            Part part = parts.get(k);
            if (part instanceof Literal l) {
                inQuery |= l.text().indexOf('?') >= 0;
                continue;
            }
            Expression e = (Expression) part;
            if (e.op() == '?') {
                if (inQuery) {
                    throw invalid("'{?...}' must start the query, but the query has already started");
                }
                inQuery = true;
            } else if (e.op() == '&' && !inQuery) {
                throw invalid("'{&...}' continues a query, but the query has not started");
            }
            for (String name : e.names()) {
                if (!seen.add(name)) {
                    throw invalid("variable '" + name + "' appears more than once in the URI template");
                }
            }
            if (k + 1 < parts.size()) {
                Part next = parts.get(k + 1);
                if (next instanceof Expression n && n.isSimple()) {
                    throw invalid("two expressions in a row cannot be told apart when matching");
                }
                if (next instanceof Literal n) {
                    char c = n.text().charAt(0);
                    if (PercentCoding.isUnreserved(c) || c == '%' || (c == ',' && e.isSimple() && e.names().size() > 1)) {
                        throw invalid("an expression must be followed by a delimiter, not '" + c + "', to be matched");
                    }
                }
            }
        }
        if (!seen.contains(TARGET_HOST) || !seen.contains(TARGET_PORT)) {
            throw invalid("the URI template must contain the variables target_host and target_port (RFC 9298 §2)");
        }
    }

    // ---- accessors -------------------------------------------------------------------------------

    public String template() {
        return template;
    }

    public String scheme() {
        return scheme;
    }

    /** The authority, as written in the template (the :authority of requests). */
    public String authority() {
        return authority;
    }

    @Override
    public String toString() {
        return template;
    }

    // ---- matching (proxy side) -------------------------------------------------------------------

    /**
     * Matches a request target: the {@code :path} of an HTTP/2 or HTTP/3 Extended CONNECT, or the
     * HTTP/1.1 request-target (origin-form, or absolute-form with this template's scheme, whose
     * authority is not compared: a proxy may be reached under several names). Linear in the input,
     * never throws.
     */
    public Match match(String requestTarget) {
        if (requestTarget == null) {
            return NO_MATCH;
        }
        String in = requestTarget;
        if (!in.startsWith("/")) {
            if (!in.regionMatches(true, 0, scheme + "://", 0, scheme.length() + 3)) {
                return NO_MATCH;
            }
            int p = scheme.length() + 3;
            while (p < in.length() && in.charAt(p) != '/' && in.charAt(p) != '?') {
                p++;
            }
            in = in.substring(p);
        }
        Map<String, String> raw = new HashMap<>(4);
        int pos = 0;
        for (int k = 0; k < parts.size(); k++) {
            Part part = parts.get(k);
            char stop = k + 1 < parts.size() && parts.get(k + 1) instanceof Literal l ? l.text().charAt(0) : 0;
            if (part instanceof Literal l) {
                if (!in.startsWith(l.text(), pos)) {
                    return NO_MATCH;
                }
                pos += l.text().length();
            } else if (((Expression) part).isSimple()) {
                pos = matchSimple((Expression) part, in, pos, stop, raw);
            } else {
                pos = matchForm((Expression) part, in, pos, stop, raw);
            }
            if (pos < 0) {
                return NO_MATCH;
            }
        }
        if (pos != in.length()) {
            return NO_MATCH;
        }
        return target(raw.get(TARGET_HOST), raw.get(TARGET_PORT));
    }

    /** {@code {a}} or {@code {a,b}}: a run of value characters, split on ','. */
    private static int matchSimple(Expression e, String in, int pos, char stop, Map<String, String> raw) {
        boolean several = e.names().size() > 1;
        int end = scanValue(in, pos, e.names().contains(TARGET_HOST), several, stop);
        String run = in.substring(pos, end);
        if (!several) {
            raw.put(e.names().get(0), run);
            return end;
        }
        // Every variable must be present: with one missing, values could not be told apart.
        String[] values = run.split(",", -1);
        if (values.length != e.names().size()) {
            return -1;
        }
        for (int i = 0; i < values.length; i++) {
            raw.put(e.names().get(i), values[i]);
        }
        return end;
    }

    /**
     * {@code {?a,b}} / {@code {&a,b}}: the operator, then {@code name=value} pairs joined by '&', in
     * template order, undefined variables left out (RFC 6570 §3.2.8-3.2.9).
     */
    private static int matchForm(Expression e, String in, int pos, char stop, Map<String, String> raw) {
        if (pos >= in.length() || in.charAt(pos) != e.op()) {
            return pos; // every variable undefined: the expression expanded to nothing
        }
        int p = pos + 1;
        int next = 0;
        boolean first = true;
        while (true) {
            int found = -1;
            for (int j = next; j < e.names().size() && found < 0; j++) {
                String name = e.names().get(j);
                if (in.startsWith(name, p) && p + name.length() < in.length() && in.charAt(p + name.length()) == '=') {
                    found = j;
                }
            }
            if (found < 0) {
                // An operator or '&' not followed by one of our names belongs to what follows; at
                // the start that means every variable was undefined and expanded to nothing.
                return first ? pos : p - 1;
            }
            String name = e.names().get(found);
            int start = p + name.length() + 1;
            int end = scanValue(in, start, name.equals(TARGET_HOST), false, stop);
            raw.put(name, in.substring(start, end));
            next = found + 1;
            first = false;
            if (end < in.length() && in.charAt(end) == '&' && next < e.names().size()) {
                p = end + 1;
                continue;
            }
            return end;
        }
    }

    /**
     * End of a raw value starting at {@code pos}: RFC 6570 U-set expansions produce only unreserved
     * characters and %XX. Additions: ',' between the values of a multi-variable simple expression;
     * in target_host, ':' because RFC 9298 §3 makes senders percent-encode an IPv6 literal's colons
     * but a literal colon is still a valid path and query character that some clients and
     * intermediaries send (interpretation: lenient on receipt), and '*' so that a wildcard is
     * refused as such rather than as an unknown resource. None is taken when it is the first
     * character of the literal that follows.
     */
    private static int scanValue(String in, int pos, boolean isHost, boolean commaAllowed, char stop) {
        int i = pos;
        while (i < in.length()) {
            char c = in.charAt(i);
            boolean valueChar = PercentCoding.isUnreserved(c) || c == '%'
                    || ((c == ':' || c == '*') && isHost) || (c == ',' && commaAllowed);
            if (!valueChar || c == stop) {
                break;
            }
            i++;
        }
        return i;
    }

    private static Match target(String rawHost, String rawPort) {
        String host = rawHost == null ? "" : PercentCoding.decode(rawHost);
        String port = rawPort == null ? "" : PercentCoding.decode(rawPort);
        if (host == null || port == null) {
            return new Rejected(TargetError.BAD_ENCODING);
        }
        TargetError e = UdpTarget.hostError(host);
        if (e == null) {
            e = UdpTarget.portError(port);
        }
        if (e != null) {
            return new Rejected(e);
        }
        return new Matched(new UdpTarget(host, UdpTarget.portValue(port)));
    }

    // ---- expansion (client side) -----------------------------------------------------------------

    /** The request URI for {@code target} (RFC 6570 expansion; IPv6 colons come out as %3A). */
    public String expand(UdpTarget target) {
        return scheme + "://" + authority + expandPathAndQuery(target, Map.of());
    }

    /** The path and query for {@code target}: the {@code :path} of an Extended CONNECT. */
    public String expandPathAndQuery(UdpTarget target) {
        return expandPathAndQuery(target, Map.of());
    }

    /**
     * As {@link #expandPathAndQuery(UdpTarget)}, with values for the template's other variables;
     * variables without a value are undefined and left out (RFC 6570 §2.3).
     */
    public String expandPathAndQuery(UdpTarget target, Map<String, String> otherVariables) {
        Objects.requireNonNull(target, "target");
        Map<String, String> values = new HashMap<>(otherVariables);
        values.put(TARGET_HOST, target.host());
        values.put(TARGET_PORT, Integer.toString(target.port()));
        StringBuilder out = new StringBuilder(template.length() + 64);
        for (Part part : parts) {
            if (part instanceof Literal l) {
                out.append(l.text());
                continue;
            }
            Expression e = (Expression) part;
            boolean any = false;
            for (String name : e.names()) {
                String value = values.get(name);
                if (value == null) {
                    continue;
                }
                if (e.isSimple()) {
                    if (any) {
                        out.append(',');
                    }
                } else {
                    out.append(any ? '&' : e.op()).append(name).append('=');
                }
                PercentCoding.encodeUnreserved(value, out);
                any = true;
            }
        }
        return out.toString();
    }
}
