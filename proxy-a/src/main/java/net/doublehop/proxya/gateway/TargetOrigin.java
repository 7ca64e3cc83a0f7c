package net.doublehop.proxya.gateway;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A target origin (RFC 6454 §4): scheme, host and port, compared exactly after normalising case and the
 * default port. The gateway forwards only to configured ones (RFC 9458 §6.3: "some mechanism to ensure
 * that the Oblivious Gateway Resource is not misused as a relay ... such as an allowlist").
 */
public record TargetOrigin(String scheme, String host, int port) {

    public TargetOrigin {
        scheme = scheme.toLowerCase(Locale.ROOT);
        host = host.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme must be http or https");
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("host and port 1-65535 required");
        }
    }

    /** Parses a configured origin such as {@code https://api.example.com} or {@code http://127.0.0.1:8080}. */
    public static TargetOrigin parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URI: " + text);
        }
        if (uri.getScheme() == null || uri.getHost() == null || uri.getRawUserInfo() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("an origin is scheme://host[:port] and nothing else: " + text);
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new TargetOrigin(uri.getScheme(), host, uri.getPort() < 0 ? defaultPort(uri.getScheme()) : uri.getPort());
    }

    /**
     * The origin of a request's {@code :scheme} and {@code :authority} (RFC 9110 §4.2, §7.2), or null when
     * they do not form one (other scheme, user info, bad port).
     */
    public static TargetOrigin ofRequest(String scheme, String authority) {
        if (authority == null || authority.isEmpty() || authority.contains("@")) {
            return null;
        }
        String s = scheme.toLowerCase(Locale.ROOT);
        if (!s.equals("http") && !s.equals("https")) {
            return null;
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (rest.startsWith(":")) {
                portText = rest.substring(1);
            } else if (!rest.isEmpty()) {
                return null;
            }
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            portText = colon < 0 ? null : authority.substring(colon + 1);
            if (host.contains(":")) {
                return null;
            }
        }
        int port = defaultPort(s);
        if (portText != null && !portText.isEmpty()) {
            if (portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
                return null;
            }
            port = Integer.parseInt(portText);
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            return null;
        }
        return new TargetOrigin(s, host, port);
    }

    public boolean tls() {
        return scheme.equals("https");
    }

    private static int defaultPort(String scheme) {
        return scheme.equalsIgnoreCase("https") ? 443 : 80;
    }

    @Override
    public String toString() {
        return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
