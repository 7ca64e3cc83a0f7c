package net.doublehop.protocol.sf;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict RFC 8941 parser (§4.2) and serialiser (§4.1) for Lists and Dictionaries, enough for
 * {@code Proxy-Status}, {@code Signature-Input} and {@code Signature}. Failures reject the whole field,
 * as §4.2 requires.
 */
public final class StructuredFields {

    private final String in;
    private int pos;

    private StructuredFields(String in) {
        this.in = in;
    }

    // ---------------------------------------------------------------- parsing

    /** §4.2.2: a Dictionary, members in order. */
    public static Map<String, Member> parseDictionary(String field) {
        StructuredFields p = new StructuredFields(field == null ? "" : field);
        p.skipSp();
        Map<String, Member> out = new LinkedHashMap<>();
        while (!p.atEnd()) {
            String key = p.parseKey();
            Member m;
            if (p.peek() == '=') {
                p.pos++;
                m = p.parseItemOrInnerList();
            } else {
                m = new Member(Boolean.TRUE, p.parseParameters());
            }
            out.put(key, m); // §4.2.2: a later duplicate overwrites the earlier value
            if (!p.nextMember()) {
                break;
            }
        }
        p.skipSp();
        return out;
    }

    /** §4.2.1: a List. */
    public static List<Member> parseList(String field) {
        StructuredFields p = new StructuredFields(field == null ? "" : field);
        p.skipSp();
        List<Member> out = new ArrayList<>();
        while (!p.atEnd()) {
            out.add(p.parseItemOrInnerList());
            if (!p.nextMember()) {
                break;
            }
        }
        return out;
    }

    /** After a member: end of input, or a comma followed by another member. */
    private boolean nextMember() {
        skipOws();
        if (atEnd()) {
            return false;
        }
        if (in.charAt(pos) != ',') {
            throw fail("expected ','");
        }
        pos++;
        skipOws();
        if (atEnd()) {
            throw fail("trailing comma");
        }
        return true;
    }

    private Member parseItemOrInnerList() {
        if (peek() == '(') {
            return parseInnerList();
        }
        Object bare = parseBareItem();
        return new Member(bare, parseParameters());
    }

    private Member parseInnerList() {
        pos++; // '('
        List<Member> items = new ArrayList<>();
        while (!atEnd()) {
            skipSp();
            if (peek() == ')') {
                pos++;
                return new Member(new InnerList(items), parseParameters());
            }
            Object bare = parseBareItem();
            items.add(new Member(bare, parseParameters()));
            if (peek() != ' ' && peek() != ')') {
                throw fail("expected ' ' or ')' in inner list");
            }
        }
        throw fail("unterminated inner list");
    }

    private Map<String, Object> parseParameters() {
        Map<String, Object> params = new LinkedHashMap<>();
        while (peek() == ';') {
            pos++;
            skipSp();
            String key = parseKey();
            Object value = Boolean.TRUE;
            if (peek() == '=') {
                pos++;
                value = parseBareItem();
            }
            params.put(key, value);
        }
        return params;
    }

    private String parseKey() {
        char c = peek();
        if (!(c >= 'a' && c <= 'z') && c != '*') {
            throw fail("key must start with a lower-case letter or '*'");
        }
        int start = pos;
        while (!atEnd()) {
            c = in.charAt(pos);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
                pos++;
            } else {
                break;
            }
        }
        return in.substring(start, pos);
    }

    private Object parseBareItem() {
        char c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            return parseNumber();
        }
        if (c == '"') {
            return parseString();
        }
        if (c == '*' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
            return parseToken();
        }
        if (c == ':') {
            return parseByteSequence();
        }
        if (c == '?') {
            return parseBoolean();
        }
        throw fail("unexpected character");
    }

    private Object parseNumber() {
        int start = pos;
        boolean negative = peek() == '-';
        if (negative) {
            pos++;
        }
        int digitsStart = pos;
        int dot = -1;
        while (!atEnd()) {
            char c = in.charAt(pos);
            if (c >= '0' && c <= '9') {
                pos++;
            } else if (c == '.' && dot < 0) {
                dot = pos;
                pos++;
            } else {
                break;
            }
        }
        if (pos == digitsStart || (dot == digitsStart)) {
            throw fail("number without digits");
        }
        String text = in.substring(start, pos);
        if (dot < 0) {
            if (pos - digitsStart > 15) {
                throw fail("integer too long");
            }
            return Long.parseLong(text);
        }
        if (dot - digitsStart > 12 || pos - dot - 1 > 3 || pos - dot - 1 == 0) {
            throw fail("decimal out of range");
        }
        return new BigDecimal(text);
    }

    private String parseString() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (!atEnd()) {
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (atEnd()) {
                    throw fail("dangling escape");
                }
                char next = in.charAt(pos++);
                if (next != '"' && next != '\\') {
                    throw fail("invalid escape");
                }
                sb.append(next);
            } else if (c == '"') {
                return sb.toString();
            } else if (c < 0x20 || c > 0x7e) {
                throw fail("invalid character in string");
            } else {
                sb.append(c);
            }
        }
        throw fail("unterminated string");
    }

    private Token parseToken() {
        int start = pos;
        pos++;
        while (!atEnd() && (isTchar(in.charAt(pos)) || in.charAt(pos) == ':' || in.charAt(pos) == '/')) {
            pos++;
        }
        return new Token(in.substring(start, pos));
    }

    private ByteSequence parseByteSequence() {
        pos++; // ':'
        int end = in.indexOf(':', pos);
        if (end < 0) {
            throw fail("unterminated byte sequence");
        }
        String b64 = in.substring(pos, end);
        for (int i = 0; i < b64.length(); i++) {
            char c = b64.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                    || c == '=')) {
                throw fail("invalid base64 in byte sequence");
            }
        }
        pos = end + 1;
        try {
            return new ByteSequence(Base64.getDecoder().decode(b64));
        } catch (IllegalArgumentException e) {
            throw fail("invalid base64 in byte sequence");
        }
    }

    private Boolean parseBoolean() {
        pos++;
        char c = peek();
        if (c == '1' || c == '0') {
            pos++;
            return c == '1';
        }
        throw fail("invalid boolean");
    }

    static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private char peek() {
        return atEnd() ? '\0' : in.charAt(pos);
    }

    private boolean atEnd() {
        return pos >= in.length();
    }

    private void skipSp() {
        while (!atEnd() && in.charAt(pos) == ' ') {
            pos++;
        }
    }

    private void skipOws() {
        while (!atEnd() && (in.charAt(pos) == ' ' || in.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private StructuredFieldException fail(String what) {
        return new StructuredFieldException(what, pos);
    }

    // ---------------------------------------------------------------- serialising

    /** §4.1.1.1 inner list with its parameters, e.g. {@code ("a" "b");p=1}. */
    public static String serializeInnerList(InnerList list, Map<String, Object> params) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < list.items().size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            Member m = list.items().get(i);
            sb.append(serializeBareItem(m.value())).append(serializeParameters(m.params()));
        }
        return sb.append(')').append(serializeParameters(params)).toString();
    }

    /** §4.1.1.2 parameters, in their order. */
    public static String serializeParameters(Map<String, Object> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            sb.append(';').append(k);
            if (!Boolean.TRUE.equals(v)) {
                sb.append('=').append(serializeBareItem(v));
            }
        });
        return sb.toString();
    }

    /** §4.1.3 bare items. */
    public static String serializeBareItem(Object v) {
        if (v instanceof Long l) {
            return Long.toString(l);
        }
        if (v instanceof Integer i) {
            return Integer.toString(i);
        }
        if (v instanceof BigDecimal d) {
            BigDecimal r = d.setScale(3, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
            String s = r.toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
        if (v instanceof String s) {
            return serializeString(s);
        }
        if (v instanceof Token t) {
            return t.value();
        }
        if (v instanceof ByteSequence b) {
            return ":" + Base64.getEncoder().encodeToString(b.bytes()) + ":";
        }
        if (v instanceof Boolean b) {
            return b ? "?1" : "?0";
        }
        throw new IllegalArgumentException("not a structured-field bare item: " + v.getClass().getSimpleName());
    }

    /** §4.1.6: printable ASCII only; {@code "} and {@code \} escaped. */
    public static String serializeString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("sf-string allows printable ASCII only");
            }
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** True when {@code s} can be serialised as an sf-token (§3.3.4). */
    public static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        char first = s.charAt(0);
        if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '*')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isTchar(c) && c != ':' && c != '/') {
                return false;
            }
        }
        return true;
    }
}
