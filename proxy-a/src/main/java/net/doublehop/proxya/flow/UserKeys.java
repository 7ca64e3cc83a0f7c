package net.doublehop.proxya.flow;

/**
 * What may be shown of a user key ({@code user:NAME}, {@code cert:NAME}, {@code psk:…}, {@code token:NONCE}) where
 * sensitive data is allowed: a Privacy Pass user has no name, and its key holds the token's nonce, which is part of
 * the token and never shown.
 */
final class UserKeys {

    private UserKeys() {
    }

    /** The authentication scheme of {@code user}, or null without one. */
    static String scheme(String user) {
        if (user == null) {
            return null;
        }
        return user.startsWith("user:") ? "basic" : user.startsWith("cert:") ? "mtls"
                : user.startsWith("token:") ? "privacy-pass" : "preshared-key";
    }

    /** The user's name (Basic) or certificate name; null for a Privacy Pass user or without one. */
    static String name(String user) {
        if (user == null || user.startsWith("token:")) {
            return null;
        }
        int colon = user.indexOf(':');
        return colon < 0 ? null : user.substring(colon + 1);
    }

    /** The key for a sensitive-data log line: as it is, except a Privacy Pass user's, which shows its scheme only. */
    static String loggable(String user) {
        return user != null && user.startsWith("token:") ? "privacy-pass" : user;
    }
}
