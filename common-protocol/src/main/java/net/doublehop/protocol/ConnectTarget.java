package net.doublehop.protocol;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A CONNECT request-target in authority-form (RFC 9110 §9.3.6: {@code host:port}, port required).
 * Parsing is strict and never touches DNS: IP literals are checked syntactically, names are kept as
 * lower-case reg-names for the proxy's own resolver.
 */
public record ConnectTarget(String host, int port) {

    static final String MALFORMED = "malformed CONNECT target";
    static final String NO_PORT = "CONNECT target needs a port";
    static final String BAD_PORT = "CONNECT target port out of range";
    static final String USERINFO = "CONNECT target must not carry userinfo";
    static final String ZONE_ID = "CONNECT target must not carry an IPv6 zone id";

    public static ConnectTarget parse(String authority) {
        if (authority == null || authority.isEmpty() || authority.length() > 300) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        for (int i = 0; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
        }
        if (authority.indexOf('@') >= 0) {
            throw ProxyFailure.badRequest(USERINFO);
        }
        String host;
        String portText;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
            host = authority.substring(1, close);
            if (host.indexOf('%') >= 0) {
                throw ProxyFailure.badRequest(ZONE_ID);
            }
            if (close + 1 >= authority.length() || authority.charAt(close + 1) != ':') {
                throw ProxyFailure.badRequest(close + 1 == authority.length() ? NO_PORT : MALFORMED);
            }
            portText = authority.substring(close + 2);
            host = ipv6(host);
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon < 0) {
                throw ProxyFailure.badRequest(NO_PORT);
            }
            host = authority.substring(0, colon);
            portText = authority.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw ProxyFailure.badRequest(MALFORMED); // IPv6 literal without brackets
            }
            host = hostName(host);
        }
        return new ConnectTarget(host, port(portText));
    }

    public ConnectTarget {
        if (port < 1 || port > 65535) {
            throw ProxyFailure.badRequest(BAD_PORT);
        }
    }

    /** True for IPv4 and IPv6 literals (no DNS needed). */
    public boolean isIpLiteral() {
        return host.indexOf(':') >= 0 || isIpv4(host);
    }

    /** {@code host:port}, IPv6 in brackets. */
    public String authority() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int port(String text) {
        if (text.isEmpty()) {
            throw ProxyFailure.badRequest(NO_PORT);
        }
        if (text.length() > 5) {
            throw ProxyFailure.badRequest(BAD_PORT);
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw ProxyFailure.badRequest(MALFORMED);
            }
        }
        int p = Integer.parseInt(text);
        if (p < 1 || p > 65535) {
            throw ProxyFailure.badRequest(BAD_PORT);
        }
        return p;
    }

    private static String ipv6(String literal) {
        if (literal.isEmpty() || literal.indexOf(':') < 0) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        for (int i = 0; i < literal.length(); i++) {
            char c = Character.toLowerCase(literal.charAt(i));
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
        }
        try {
            // A string of hex digits, colons and dots is parsed as a literal: no lookup happens.
            InetAddress a = InetAddress.getByName("[" + literal + "]");
            return a instanceof Inet6Address ? a.getHostAddress() : literal.toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
    }

    private static String hostName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            throw ProxyFailure.badRequest(MALFORMED);
        }
        String h = host.toLowerCase(Locale.ROOT);
        boolean digitsAndDots = h.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        if (digitsAndDots) {
            if (!isIpv4(h)) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
            return h;
        }
        for (String label : h.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                throw ProxyFailure.badRequest(MALFORMED);
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                    throw ProxyFailure.badRequest(MALFORMED);
                }
            }
        }
        return h;
    }

    /** Dotted-quad IPv4 with no leading zeros (which some stacks read as octal). */
    static boolean isIpv4(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
