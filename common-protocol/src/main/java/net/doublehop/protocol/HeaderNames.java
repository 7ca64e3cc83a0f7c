package net.doublehop.protocol;

/** Header names both hops use, lower-case as HTTP/2 and HTTP/3 send them. */
public final class HeaderNames {
    /** Cloudflare Privacy Proxy's geolocation hint: {@code <geohash>-<CC>}. */
    public static final String SEC_CH_GEOHASH = "sec-ch-geohash";
    /** RFC 9421 §4.1. */
    public static final String SIGNATURE_INPUT = "signature-input";
    /** RFC 9421 §4.2. */
    public static final String SIGNATURE = "signature";
    /** RFC 9209. */
    public static final String PROXY_STATUS = "proxy-status";
    /** W3C Server Timing. */
    public static final String SERVER_TIMING = "server-timing";
    /** RFC 9110 §11.7.2. */
    public static final String PROXY_AUTHORIZATION = "proxy-authorization";
    /** RFC 9110 §11.7.1. */
    public static final String PROXY_AUTHENTICATE = "proxy-authenticate";
    /** RFC 9110 §10.2.3: how long a refused client should wait (sent with every 503). */
    public static final String RETRY_AFTER = "retry-after";
    /** RFC 7838. */
    public static final String ALT_SVC = "alt-svc";

    private HeaderNames() {
    }
}
