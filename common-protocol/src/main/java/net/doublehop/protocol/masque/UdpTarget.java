package net.doublehop.protocol.masque;

import java.util.Locale;

/**
 * The target of a CONNECT-UDP tunnel, from the decoded {@code target_host} and {@code target_port}
 * variables (RFC 9298 §3, Figure 2: {@code target_host = IPv6address / IPv4address / reg-name},
 * {@code target_port = port}, neither empty, port 1-65535, no IPv6 zone ID). The host is kept
 * lower-case and bare (no brackets). Validation is purely syntactic and never touches DNS.
 *
 * <p>Interpretations, beyond the RFC's grammar, all refusing targets that could not be proxied
 * safely anyway (the proxy must resolve names before answering, RFC 9298 §3.1):
 * <ul>
 *   <li>a reg-name must be a DNS host name (labels of letters, digits, '-' and '_', 1-63 bytes,
 *       253 in all), as for CONNECT targets; RFC 3986 would also allow sub-delims such as '*',
 *       which no resolver answers for;</li>
 *   <li>'*' anywhere is refused as a wildcard, with its own error;</li>
 *   <li>a name whose last label is a number (decimal, or 0x-hex) must be a strict dotted-quad
 *       IPv4address: forms like {@code 127.1}, {@code 0x7f.1} or {@code 2130706433} are read as
 *       addresses by some resolvers (the WHATWG URL "ends in a number" rule; RFC 3986 §7.4);</li>
 *   <li>an IPv6 literal in brackets is refused: the grammar names IPv6address, not IP-literal.</li>
 * </ul>
 */
public record UdpTarget(String host, int port) {

    public UdpTarget {
        TargetError e = hostError(host);
        if (e == null) {
            e = port < 1 || port > 65535 ? TargetError.PORT_OUT_OF_RANGE : null;
        }
        if (e != null) {
            throw new IllegalArgumentException(e.details());
        }
        host = host.toLowerCase(Locale.ROOT);
    }

    public boolean isIpv6() {
        return host.indexOf(':') >= 0;
    }

    public boolean isIpv4() {
        return isIpv4Address(host);
    }

    /** {@code host:port} with an IPv6 literal in brackets, as in an authority. */
    public String authority() {
        return (isIpv6() ? "[" + host + "]" : host) + ":" + port;
    }

    /** Why {@code host} (already percent-decoded) is not a valid target_host, or null if it is. */
    static TargetError hostError(String host) {
        if (host == null || host.isEmpty()) {
            return TargetError.EMPTY_HOST;
        }
        if (host.indexOf('*') >= 0) {
            return TargetError.WILDCARD_HOST;
        }
        if (host.length() > 253) {
            return TargetError.BAD_HOST;
        }
        if (host.indexOf(':') >= 0) {
            int zone = host.indexOf('%');
            if (zone >= 0) {
                // "IPv6 scoped addressing zone identifiers are not supported" (RFC 9298 §3)
                return isIpv6Address(host.substring(0, zone)) ? TargetError.ZONE_ID : TargetError.BAD_HOST;
            }
            return isIpv6Address(host) ? null : TargetError.BAD_HOST;
        }
        if (isIpv4Address(host)) {
            return null;
        }
        return isDnsName(host) ? null : TargetError.BAD_HOST;
    }

    /**
     * Why {@code text} (already percent-decoded) is not a valid target_port, or null if it is:
     * digits only ({@code port = *DIGIT}, RFC 3986 §3.2.3, so leading zeros are allowed), 1-65535.
     */
    static TargetError portError(String text) {
        if (text == null || text.isEmpty()) {
            return TargetError.EMPTY_PORT;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return TargetError.BAD_PORT;
            }
        }
        int value = portValue(text);
        return value >= 1 && value <= 65535 ? null : TargetError.PORT_OUT_OF_RANGE;
    }

    /** The value of a string of digits, saturating at 65536 so long strings cannot overflow. */
    static int portValue(String digits) {
        int value = 0;
        for (int i = 0; i < digits.length(); i++) {
            value = Math.min(value * 10 + (digits.charAt(i) - '0'), 65536);
        }
        return value;
    }

    /** RFC 3986 §3.2.2 IPv4address: four dec-octets, no leading zeros. */
    static boolean isIpv4Address(String s) {
        int octets = 0;
        int i = 0;
        while (true) {
            int start = i;
            int value = 0;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
            octets++;
            if (octets == 4) {
                return i == s.length();
            }
            if (i >= s.length() || s.charAt(i) != '.') {
                return false;
            }
            i++;
        }
    }

    /** RFC 3986 §3.2.2 IPv6address: eight h16 groups, the last two optionally an IPv4address, "::" once. */
    static boolean isIpv6Address(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        if (gap < 0) {
            int groups = countGroups(s, true);
            return groups == 8;
        }
        String left = s.substring(0, gap);
        String right = s.substring(gap + 2);
        int l = left.isEmpty() ? 0 : countGroups(left, false);
        int r = right.isEmpty() ? 0 : countGroups(right, true);
        // "::" stands for at least one zero group, so at most seven are written.
        return l >= 0 && r >= 0 && l + r <= 7;
    }

    /**
     * Counts the groups of a colon-separated run of h16 (an IPv4address at the end counts as two
     * when {@code ipv4Tail}); -1 if any group is malformed or empty.
     */
    private static int countGroups(String s, boolean ipv4Tail) {
        int groups = 0;
        int start = 0;
        while (true) {
            int colon = s.indexOf(':', start);
            String group = colon < 0 ? s.substring(start) : s.substring(start, colon);
            if (colon < 0 && ipv4Tail && group.indexOf('.') >= 0) {
                return isIpv4Address(group) ? groups + 2 : -1;
            }
            if (group.isEmpty() || group.length() > 4) {
                return -1;
            }
            for (int i = 0; i < group.length(); i++) {
                if (!PercentCoding.isHexDigit(group.charAt(i))) {
                    return -1;
                }
            }
            groups++;
            if (groups > 8) {
                return -1;
            }
            if (colon < 0) {
                return groups;
            }
            start = colon + 1;
        }
    }

    private static boolean isDnsName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        int start = 0;
        String last = null;
        while (start <= h.length()) {
            int dot = h.indexOf('.', start);
            String label = dot < 0 ? h.substring(start) : h.substring(start, dot);
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                    return false;
                }
            }
            last = label;
            if (dot < 0) {
                break;
            }
            start = dot + 1;
        }
        return !endsInANumber(last);
    }

    // A label some resolvers parse as part of an IPv4 address (inet_aton forms).
    private static boolean endsInANumber(String label) {
        if (label.startsWith("0x")) {
            for (int i = 2; i < label.length(); i++) {
                if (!PercentCoding.isHexDigit(label.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < label.length(); i++) {
            if (label.charAt(i) < '0' || label.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
