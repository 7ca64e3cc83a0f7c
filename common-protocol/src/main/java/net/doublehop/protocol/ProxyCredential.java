package net.doublehop.protocol;

/** A parsed {@code Proxy-Authorization} credential. {@code toString()} never shows the secret. */
public sealed interface ProxyCredential {

    /** {@code Preshared <key>}, the scheme Cloudflare Privacy Proxy uses between hops. */
    record Preshared(String key) implements ProxyCredential {
        @Override
        public String toString() {
            return "Preshared[***]";
        }
    }

    /** RFC 7617 Basic. */
    record Basic(String user, String password) implements ProxyCredential {
        @Override
        public String toString() {
            return "Basic[***]";
        }
    }

    /** RFC 9577 §2.2 {@code PrivateToken token=…}; the token stays base64url text. */
    record PrivateToken(String token) implements ProxyCredential {
        @Override
        public String toString() {
            return "PrivateToken[***]";
        }
    }

    /** Any other scheme; only its name is kept. */
    record Unknown(String scheme) implements ProxyCredential { }
}
