package net.doublehop.protocol.ohttp;

import java.nio.charset.StandardCharsets;

/** Media types (RFC 9458 §3.2, §4) and the HPKE labels that bind them to binary HTTP (§4.3, §4.4, §4.6). */
public final class OhttpMediaTypes {

    /** A list of key configurations (§3.2). */
    public static final String KEYS = "application/ohttp-keys";
    /** An Encapsulated Request (§4.1). */
    public static final String REQUEST = "message/ohttp-req";
    /** An Encapsulated Response (§4.2). */
    public static final String RESPONSE = "message/ohttp-res";
    /** Problem details (RFC 9457) for the errors of §5.3 that cannot be encapsulated. */
    public static final String PROBLEM_JSON = "application/problem+json";
    /** §6.3's problem type for an outdated or unknown key configuration. */
    public static final String KEY_PROBLEM_TYPE = "https://iana.org/assignments/http-problem-types#ohttp-key";
    /** §6.5.2's problem type for a request whose {@code Date} is outside the gateway's window. */
    public static final String DATE_PROBLEM_TYPE = "https://iana.org/assignments/http-problem-types#date";

    static final byte[] REQUEST_LABEL = "message/bhttp request".getBytes(StandardCharsets.US_ASCII);
    static final byte[] RESPONSE_LABEL = "message/bhttp response".getBytes(StandardCharsets.US_ASCII);

    private OhttpMediaTypes() {
    }

    /** True if a Content-Type header names {@code type} (parameters and case ignored, RFC 9110 §8.3.1). */
    public static boolean is(String contentType, String type) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String bare = (semi < 0 ? contentType : contentType.substring(0, semi)).strip();
        return bare.equalsIgnoreCase(type);
    }
}
