package net.doublehop.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.doublehop.protocol.sf.Member;
import net.doublehop.protocol.sf.StructuredFields;
import net.doublehop.protocol.sf.Token;

/**
 * The RFC 9209 {@code Proxy-Status} field: a List whose members name an intermediary, with parameters
 * {@code error}, {@code details}, {@code received-status}, … ({@code proxy-b; error=dns_timeout}).
 */
public final class ProxyStatus {

    /** One intermediary's entry; {@code receivedStatus} is the status it got from the next hop. */
    public record Entry(String proxyName, Optional<ProxyErrorType> error, Optional<String> details,
            Optional<Integer> receivedStatus) { }

    private ProxyStatus() {
    }

    public static String format(String proxyName, ProxyFailure f) {
        StringBuilder sb = new StringBuilder(name(proxyName));
        sb.append("; error=").append(f.type().token());
        if (f.details() != null) {
            sb.append("; details=").append(StructuredFields.serializeString(f.details()));
        }
        return sb.toString();
    }

    /** An entry for a hop that handled the request without error. */
    public static String formatSuccess(String proxyName) {
        return name(proxyName);
    }

    private static String name(String proxyName) {
        return StructuredFields.isToken(proxyName) ? proxyName : StructuredFields.serializeString(proxyName);
    }

    /**
     * Parses a received field, e.g. to pass the next hop's entries through. Unknown parameters and error
     * types are tolerated (an unknown error type gives an empty {@code error}); a malformed field throws.
     */
    public static List<Entry> parse(String headerValue) {
        List<Entry> out = new ArrayList<>();
        for (Member m : StructuredFields.parseList(headerValue)) {
            String name;
            if (m.value() instanceof Token t) {
                name = t.value();
            } else if (m.value() instanceof String s) {
                name = s;
            } else {
                throw new IllegalArgumentException("Proxy-Status member must be a token or string");
            }
            Optional<ProxyErrorType> error = m.param("error") instanceof Token t
                    ? ProxyErrorType.fromToken(t.value()) : Optional.empty();
            Optional<String> details = m.param("details") instanceof String s ? Optional.of(s) : Optional.empty();
            Optional<Integer> received = m.param("received-status") instanceof Long l
                    ? Optional.of(l.intValue()) : Optional.empty();
            out.add(new Entry(name, error, details, received));
        }
        return out;
    }
}
