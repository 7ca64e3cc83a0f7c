package net.doublehop.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The proxy error types of RFC 9209 §2.3 with the HTTP status this project answers each with
 * (docs/architecture.md §5). The status is a default: a {@link ProxyFailure} may carry another one (407, 405, 431).
 */
public enum ProxyErrorType {
    /** §2.3.1 */ DNS_TIMEOUT(504),
    /** §2.3.2 */ DNS_ERROR(502),
    /** §2.3.3 */ DESTINATION_NOT_FOUND(502),
    /** §2.3.4 */ DESTINATION_UNAVAILABLE(503),
    /** §2.3.5 */ DESTINATION_IP_PROHIBITED(502),
    /** §2.3.6 */ DESTINATION_IP_UNROUTABLE(502),
    /** §2.3.7 */ CONNECTION_REFUSED(502),
    /** §2.3.8 */ CONNECTION_TERMINATED(502),
    /** §2.3.9 */ CONNECTION_TIMEOUT(504),
    /** §2.3.10 */ CONNECTION_READ_TIMEOUT(504),
    /** §2.3.11 */ CONNECTION_WRITE_TIMEOUT(504),
    /** §2.3.12 */ CONNECTION_LIMIT_REACHED(503),
    /** §2.3.13 */ TLS_PROTOCOL_ERROR(502),
    /** §2.3.14 */ TLS_CERTIFICATE_ERROR(502),
    /** §2.3.15 */ TLS_ALERT_RECEIVED(502),
    /** §2.3.16 */ HTTP_REQUEST_ERROR(400),
    /** §2.3.17 */ HTTP_REQUEST_DENIED(403),
    /** §2.3.18 */ HTTP_RESPONSE_INCOMPLETE(502),
    /** §2.3.19 */ HTTP_RESPONSE_HEADER_SECTION_SIZE(502),
    /** §2.3.20 */ HTTP_RESPONSE_HEADER_SIZE(502),
    /** §2.3.21 */ HTTP_RESPONSE_BODY_SIZE(502),
    /** §2.3.22 */ HTTP_RESPONSE_TRAILER_SECTION_SIZE(502),
    /** §2.3.23 */ HTTP_RESPONSE_TRAILER_SIZE(502),
    /** §2.3.24 */ HTTP_RESPONSE_TRANSFER_CODING(502),
    /** §2.3.25 */ HTTP_RESPONSE_CONTENT_CODING(502),
    /** §2.3.26 */ HTTP_RESPONSE_TIMEOUT(504),
    /** §2.3.27 */ HTTP_UPGRADE_FAILED(502),
    /** §2.3.28 */ HTTP_PROTOCOL_ERROR(502),
    /** §2.3.29 */ PROXY_INTERNAL_RESPONSE(500),
    /** §2.3.30 */ PROXY_INTERNAL_ERROR(500),
    /** §2.3.31 */ PROXY_CONFIGURATION_ERROR(500),
    /** §2.3.32 */ PROXY_LOOP_DETECTED(502);

    private static final Map<String, ProxyErrorType> BY_TOKEN = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(ProxyErrorType::token, Function.identity()));

    private final int defaultStatus;
    private final String token;

    ProxyErrorType(int defaultStatus) {
        this.defaultStatus = defaultStatus;
        this.token = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The RFC 9209 token, e.g. {@code destination_ip_prohibited}. */
    public String token() {
        return token;
    }

    public int defaultStatus() {
        return defaultStatus;
    }

    public static Optional<ProxyErrorType> fromToken(String token) {
        return Optional.ofNullable(token == null ? null : BY_TOKEN.get(token));
    }
}
