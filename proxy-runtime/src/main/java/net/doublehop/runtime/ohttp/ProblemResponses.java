package net.doublehop.runtime.ohttp;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ProxyStatus;

/**
 * Unprotected error answers of the relay and gateway (RFC 9458 §5.3: errors before decapsulation are
 * sent without protection): an {@code application/problem+json} body (RFC 9457) and an RFC 9209
 * {@code Proxy-Status}. Texts are constants chosen by the caller, never request bytes.
 */
public final class ProblemResponses {

    public static final String PROBLEM_JSON = "application/problem+json";

    private ProblemResponses() {
    }

    /** The problem document: {@code type} (or about:blank), {@code title}, {@code status}. */
    public static String json(String type, String title, int status) {
        return "{\"type\":\"" + escape(type == null ? "about:blank" : type) + "\",\"title\":\"" + escape(title)
                + "\",\"status\":" + status + "}";
    }

    /** Ends {@code response} with the failure's status, Proxy-Status and a problem document. */
    public static void send(HttpServerResponse response, String proxyName, ProxyFailure failure, String problemType) {
        if (response.ended() || response.closed()) {
            return;
        }
        String details = failure.details() == null ? failure.type().token() : failure.details();
        response.setStatusCode(failure.status())
                .putHeader("proxy-status", proxyStatus(proxyName, failure))
                .putHeader("content-type", PROBLEM_JSON)
                .putHeader("cache-control", "no-store")
                .end(Buffer.buffer(json(problemType, details, failure.status())));
    }

    /** The Proxy-Status value; details that are no sf-string (non-ASCII) are left out rather than thrown on. */
    public static String proxyStatus(String proxyName, ProxyFailure failure) {
        try {
            return ProxyStatus.format(proxyName, failure);
        } catch (IllegalArgumentException e) {
            return ProxyStatus.format(proxyName, new ProxyFailure(failure.type(), failure.status(), null));
        }
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
