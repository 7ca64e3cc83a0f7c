package net.doublehop.loadgen;

/** HOST:PORT with IPv6 literals in brackets ([::1]:9000). */
public record HostPort(String host, int port) {

    public static HostPort parse(String option, String v) throws UsageException {
        String s = v.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0 || end + 1 >= s.length() || s.charAt(end + 1) != ':') {
                throw new UsageException(option + " must be HOST:PORT, not '" + v + "'");
            }
            host = s.substring(1, end);
            port = s.substring(end + 2);
        } else {
            int c = s.lastIndexOf(':');
            if (c < 1 || s.indexOf(':') != c) {
                throw new UsageException(option + " must be HOST:PORT (IPv6 as [::1]:PORT), not '" + v + "'");
            }
            host = s.substring(0, c);
            port = s.substring(c + 1);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            if (host.isEmpty()) {
                throw new UsageException(option + " must be HOST:PORT, not '" + v + "'");
            }
            return new HostPort(host, p);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": port must be 0..65535, not '" + port + "'");
        }
    }

    public static String format(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return format(host, port);
    }
}
