package net.doublehop.protocol.bhttp;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A request (RFC 9292 §3.4): control data as HTTP/2 pseudo-headers would carry it ({@code authority} is
 * empty where HTTP/2 would omit it), header fields, content and trailer fields.
 */
public record BinaryHttpRequest(String method, String scheme, String authority, String path, List<Field> headers,
        byte[] content, List<Field> trailers) {

    public BinaryHttpRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(path, "path");
        headers = List.copyOf(headers);
        content = content.clone();
        trailers = List.copyOf(trailers);
    }

    /** A request without content or trailers. */
    public static BinaryHttpRequest of(String method, String scheme, String authority, String path,
            List<Field> headers) {
        return new BinaryHttpRequest(method, scheme, authority, path, headers, new byte[0], List.of());
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** Content length without a copy. */
    public int contentLength() {
        return content.length;
    }

    /** The values of the header fields named {@code name} (case-insensitive), in order. */
    public List<String> header(String name) {
        return headers.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BinaryHttpRequest r && method.equals(r.method) && scheme.equals(r.scheme)
                && authority.equals(r.authority) && path.equals(r.path) && headers.equals(r.headers)
                && Arrays.equals(content, r.content) && trailers.equals(r.trailers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, scheme, authority, path, headers, Arrays.hashCode(content), trailers);
    }

    @Override
    public String toString() {
        // no target, fields or content: a request may be logged by accident, and it is the user's
        return "BinaryHttpRequest[" + headers.size() + " header fields, " + content.length + " content bytes, "
                + trailers.size() + " trailer fields]";
    }
}
