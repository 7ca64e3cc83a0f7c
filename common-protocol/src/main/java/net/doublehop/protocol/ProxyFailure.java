package net.doublehop.protocol;

/**
 * The one failure type of both proxies: an RFC 9209 error type, the HTTP status to answer with, and a
 * constant detail text for operators. Details never carry user data (addresses, names, tokens), because
 * they travel in {@code Proxy-Status} and may be logged. Thrown for control flow, so no stack trace.
 */
public final class ProxyFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ProxyErrorType type;
    private final int status;
    private final String details;
    /** Seconds a client should wait before trying again (RFC 9110 §10.2.3 {@code Retry-After}), or -1. */
    private final long retryAfterSeconds;

    public ProxyFailure(ProxyErrorType type, int status, String details) {
        this(type, status, details, -1);
    }

    private ProxyFailure(ProxyErrorType type, int status, String details, long retryAfterSeconds) {
        super(type.token() + (details == null ? "" : ": " + details), null, false, false);
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status out of range");
        }
        this.type = type;
        this.status = status;
        this.details = details;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * The same failure, telling the client when to try again ({@code Retry-After}, RFC 9110 §10.2.3): what a proxy
     * shedding load (503) knows, e.g. the rest of a next hop's cool-down.
     */
    public ProxyFailure withRetryAfter(long seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("Retry-After must not be negative");
        }
        return new ProxyFailure(type, status, details, seconds);
    }

    /** The failure's own {@code Retry-After} in seconds, when it has one. */
    public java.util.OptionalLong retryAfterSeconds() {
        return retryAfterSeconds < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(retryAfterSeconds);
    }

    public static ProxyFailure of(ProxyErrorType type, String details) {
        return new ProxyFailure(type, type.defaultStatus(), details);
    }

    public static ProxyFailure badRequest(String details) {
        return of(ProxyErrorType.HTTP_REQUEST_ERROR, details);
    }

    public static ProxyFailure denied(String details) {
        return of(ProxyErrorType.HTTP_REQUEST_DENIED, details);
    }

    public ProxyErrorType type() {
        return type;
    }

    public int status() {
        return status;
    }

    /** Constant operator-facing text, or null. */
    public String details() {
        return details;
    }
}
