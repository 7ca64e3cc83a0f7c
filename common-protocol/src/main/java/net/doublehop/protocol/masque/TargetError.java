package net.doublehop.protocol.masque;

/**
 * Why the {@code target_host} / {@code target_port} of a CONNECT-UDP request are refused (RFC 9298
 * §3): answer 400. Details are constant texts with no request data, safe for Proxy-Status and logs.
 */
public enum TargetError {
    EMPTY_HOST("target_host is empty"),
    EMPTY_PORT("target_port is empty"),
    BAD_ENCODING("malformed percent-encoding in the UDP proxying request"),
    WILDCARD_HOST("target_host must not be a wildcard"),
    ZONE_ID("target_host must not carry an IPv6 zone ID"),
    BAD_HOST("target_host is not an IPv6 or IPv4 literal or a DNS name"),
    BAD_PORT("target_port is not a decimal number"),
    PORT_OUT_OF_RANGE("target_port must be between 1 and 65535");

    private final String details;

    TargetError(String details) {
        this.details = details;
    }

    public String details() {
        return details;
    }
}
