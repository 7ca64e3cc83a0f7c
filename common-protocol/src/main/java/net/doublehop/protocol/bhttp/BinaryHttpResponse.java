package net.doublehop.protocol.bhttp;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A response (RFC 9292 §3.5): zero or more informational responses, then the final status (200-599),
 * header fields, content and trailer fields.
 */
public record BinaryHttpResponse(List<Informational> informational, int status, List<Field> headers, byte[] content,
        List<Field> trailers) {

    /** An interim response (RFC 9292 §3.5.1): a 1xx status and its header fields. */
    public record Informational(int status, List<Field> headers) {
        public Informational {
            if (status < 100 || status > 199) {
                throw new IllegalArgumentException("informational status must be 100-199: " + status);
            }
            headers = List.copyOf(headers);
        }
    }

    public BinaryHttpResponse {
        informational = List.copyOf(informational);
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("final status must be 200-599: " + status);
        }
        headers = List.copyOf(headers);
        content = content.clone();
        trailers = List.copyOf(trailers);
    }

    /** A final response without interim responses or trailers. */
    public static BinaryHttpResponse of(int status, List<Field> headers, byte[] content) {
        return new BinaryHttpResponse(List.of(), status, headers, content, List.of());
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** The values of the header fields named {@code name} (case-insensitive), in order. */
    public List<String> header(String name) {
        return headers.stream().filter(f -> f.name().equalsIgnoreCase(name)).map(Field::value).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BinaryHttpResponse r && informational.equals(r.informational) && status == r.status
                && headers.equals(r.headers) && Arrays.equals(content, r.content) && trailers.equals(r.trailers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(informational, status, headers, Arrays.hashCode(content), trailers);
    }

    @Override
    public String toString() {
        return "BinaryHttpResponse[" + status + ", " + headers.size() + " header fields, " + content.length
                + " content bytes]";
    }
}
