package net.doublehop.runtime.listen;

import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/** Header-field chores every HTTP/2 and HTTP/3 side shares, server and client. */
public final class HeaderFields {

    /** Connection-specific fields: malformed in HTTP/2 and HTTP/3 (RFC 9113 §8.2.2, RFC 9114 §4.2). */
    private static final Set<String> CONNECTION_SPECIFIC =
            Set.of("connection", "upgrade", "keep-alive", "transfer-encoding", "proxy-connection");

    private HeaderFields() {
    }

    /** The regular (not pseudo-) fields of a decoded HTTP/2 or HTTP/3 header block. */
    public static MultiMap regular(Iterable<Map.Entry<CharSequence, CharSequence>> block) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (Map.Entry<CharSequence, CharSequence> h : block) {
            if (h.getKey().length() > 0 && h.getKey().charAt(0) != ':') {
                out.add(h.getKey().toString(), h.getValue().toString());
            }
        }
        return out;
    }

    /** Writes {@code headers} into an HTTP/2 or HTTP/3 block: lower-case names, connection-specific ones left out. */
    public static void forMultiplexed(MultiMap headers, BiConsumer<String, String> add) {
        for (Map.Entry<String, String> e : headers) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!CONNECTION_SPECIFIC.contains(name)) {
                add.accept(name, e.getValue());
            }
        }
    }

    /** A {@code :status} value as a number, or -1 when it is missing or not one. */
    public static int status(CharSequence status) {
        if (status == null) {
            return -1;
        }
        try {
            return Integer.parseInt(status.toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
