package net.doublehop.protocol.bhttp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.doublehop.protocol.masque.QuicVarInt;

/**
 * Encodes and decodes binary HTTP messages (RFC 9292). Integers are QUIC varints (RFC 9000 §16), accepted
 * in any length and written minimally.
 *
 * <p>Decoding follows RFC 9292 §3.8: a message may end before the length prefix (known length) or the
 * first line or chunk (indeterminate length) of any field section or content, which then counts as
 * empty; ending anywhere else is invalid; bytes after the trailers are padding and must be zero.
 * Field lines must be valid HTTP/2 fields (§3.6, RFC 9113 §8.2.1: lowercase token names; values without
 * NUL, CR, LF or surrounding whitespace); request and response pseudo-fields may not appear as fields,
 * other pseudo-fields only first in a header section.
 */
public final class BinaryHttp {

    private static final Set<String> CONTROL_PSEUDO_FIELDS = Set.of(":method", ":scheme", ":authority", ":path",
            ":status");

    private BinaryHttp() {
    }

    // ---- encoding -------------------------------------------------------------------------------

    /** The known-length form, complete (no truncation) and unpadded. */
    public static byte[] encode(BinaryHttpRequest request) {
        return encode(request, Framing.KNOWN_LENGTH, false, 0);
    }

    /** The known-length form, complete (no truncation) and unpadded. */
    public static byte[] encode(BinaryHttpResponse response) {
        return encode(response, Framing.KNOWN_LENGTH, false, 0);
    }

    /**
     * @param truncate leave out trailing empty parts (RFC 9292 §3.8): empty trailers, then empty content
     *     if the trailers were left out, then an empty header section if the content was
     * @param padding zero bytes appended (§3.8), to hide the message's length
     */
    public static byte[] encode(BinaryHttpRequest request, Framing framing, boolean truncate, int padding) {
        Writer w = new Writer(framing);
        w.varint(framing.indicator(false));
        w.bytes(latin1(request.method()));
        w.bytes(latin1(request.scheme()));
        w.bytes(latin1(request.authority()));
        w.bytes(latin1(request.path()));
        w.body(request.headers(), request.content(), request.trailers(), truncate);
        return w.finish(padding);
    }

    /** As {@link #encode(BinaryHttpRequest, Framing, boolean, int)}, for a response. */
    public static byte[] encode(BinaryHttpResponse response, Framing framing, boolean truncate, int padding) {
        Writer w = new Writer(framing);
        w.varint(framing.indicator(true));
        for (BinaryHttpResponse.Informational info : response.informational()) {
            w.varint(info.status());
            w.fieldSection(info.headers());
        }
        w.varint(response.status());
        w.body(response.headers(), response.content(), response.trailers(), truncate);
        return w.finish(padding);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Framing framing;

        Writer(Framing framing) {
            this.framing = framing;
        }

        void varint(long v) {
            out.writeBytes(QuicVarInt.encode(v));
        }

        void bytes(byte[] b) {
            varint(b.length);
            out.writeBytes(b);
        }

        void fieldSection(List<Field> fields) {
            ByteArrayOutputStream lines = new ByteArrayOutputStream();
            for (Field f : fields) {
                byte[] name = latin1(f.name());
                byte[] value = latin1(f.value());
                lines.writeBytes(QuicVarInt.encode(name.length));
                lines.writeBytes(name);
                lines.writeBytes(QuicVarInt.encode(value.length));
                lines.writeBytes(value);
            }
            if (framing == Framing.KNOWN_LENGTH) {
                bytes(lines.toByteArray());
            } else {
                out.writeBytes(lines.toByteArray());
                varint(0);
            }
        }

        void content(byte[] content) {
            if (framing == Framing.KNOWN_LENGTH) {
                bytes(content);
            } else {
                if (content.length > 0) {
                    bytes(content); // one chunk: the whole content is in hand
                }
                varint(0);
            }
        }

        void body(List<Field> headers, byte[] content, List<Field> trailers, boolean truncate) {
            boolean omitTrailers = truncate && trailers.isEmpty();
            boolean omitContent = omitTrailers && content.length == 0;
            boolean omitHeaders = omitContent && headers.isEmpty();
            if (!omitHeaders) {
                fieldSection(headers);
            }
            if (!omitContent) {
                content(content);
            }
            if (!omitTrailers) {
                fieldSection(trailers);
            }
        }

        byte[] finish(int padding) {
            if (padding < 0) {
                throw new IllegalArgumentException("padding must not be negative: " + padding);
            }
            out.writeBytes(new byte[padding]);
            return out.toByteArray();
        }
    }

    // ---- decoding -------------------------------------------------------------------------------

    /** The framing of a message, from its first byte(s); does not check the rest. */
    public static boolean isResponse(byte[] message) throws BinaryHttpException {
        Reader r = new Reader(message);
        return r.framingIndicator() % 2 == 1;
    }

    /** Decodes a request in either framing. */
    public static BinaryHttpRequest decodeRequest(byte[] message) throws BinaryHttpException {
        Reader r = new Reader(message);
        long indicator = r.framingIndicator();
        if (indicator != 0 && indicator != 2) {
            throw new BinaryHttpException("not a request: framing indicator " + indicator);
        }
        r.knownLength = indicator == 0;
        String method = r.text("method");
        String scheme = r.text("scheme");
        String authority = r.text("authority");
        String path = r.text("path");
        checkControlData(method, scheme, authority, path);
        List<Field> headers = r.fieldSection(true);
        byte[] content = r.content();
        List<Field> trailers = r.fieldSection(false);
        r.padding();
        return new BinaryHttpRequest(method, scheme, authority, path, headers, content, trailers);
    }

    /** Decodes a response in either framing, with its informational responses. */
    public static BinaryHttpResponse decodeResponse(byte[] message) throws BinaryHttpException {
        Reader r = new Reader(message);
        long indicator = r.framingIndicator();
        if (indicator != 1 && indicator != 3) {
            throw new BinaryHttpException("not a response: framing indicator " + indicator);
        }
        r.knownLength = indicator == 1;
        List<BinaryHttpResponse.Informational> informational = new ArrayList<>();
        while (true) {
            long status = r.varint("status code");
            if (status >= 100 && status <= 199) {
                informational.add(new BinaryHttpResponse.Informational((int) status, r.fieldSection(true)));
            } else if (status >= 200 && status <= 599) {
                List<Field> headers = r.fieldSection(true);
                byte[] content = r.content();
                List<Field> trailers = r.fieldSection(false);
                r.padding();
                return new BinaryHttpResponse(informational, (int) status, headers, content, trailers);
            } else {
                throw new BinaryHttpException("status code out of range: " + status);
            }
        }
    }

    /** RFC 9292 §3.4 with RFC 9113 §8.3.1: a method token; no whitespace or controls in the target. */
    private static void checkControlData(String method, String scheme, String authority, String path)
            throws BinaryHttpException {
        if (method.isEmpty() || !isToken(method, false)) {
            throw new BinaryHttpException("method is not a token");
        }
        if (!method.equals("CONNECT") && (scheme.isEmpty() || path.isEmpty())) {
            throw new BinaryHttpException("scheme and path are required except for CONNECT");
        }
        for (String part : new String[] {scheme, authority, path}) {
            for (int i = 0; i < part.length(); i++) {
                char c = part.charAt(i);
                if (c <= 0x20 || c >= 0x7f) {
                    throw new BinaryHttpException("control data holds a control, space or non-ASCII byte");
                }
            }
        }
    }

    private static boolean isToken(String s, boolean lowercaseOnly) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0
                    || (!lowercaseOnly && c >= 'A' && c <= 'Z');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static final class Reader {
        private final byte[] data;
        private int at;
        boolean knownLength;

        Reader(byte[] data) {
            this.data = data;
        }

        long framingIndicator() throws BinaryHttpException {
            long v = varint("framing indicator");
            if (v > 3) {
                throw new BinaryHttpException("unknown framing indicator " + v);
            }
            return v;
        }

        boolean atEnd() {
            return at == data.length;
        }

        long varint(String what) throws BinaryHttpException {
            return varint(what, data.length);
        }

        long varint(String what, int end) throws BinaryHttpException {
            long v = QuicVarInt.peek(data, at, end);
            if (v == QuicVarInt.NEED_MORE) {
                throw new BinaryHttpException("message ends inside " + what);
            }
            at += QuicVarInt.lengthOf(data[at]);
            return v;
        }

        byte[] take(long length, int end, String what) throws BinaryHttpException {
            if (length > end - at) {
                throw new BinaryHttpException("message ends inside " + what);
            }
            byte[] out = java.util.Arrays.copyOfRange(data, at, at + (int) length);
            at += (int) length;
            return out;
        }

        String text(String what) throws BinaryHttpException {
            return new String(take(varint(what + " length"), data.length, what), StandardCharsets.ISO_8859_1);
        }

        /** A header ({@code header} true) or trailer section; an absent one (truncation) is empty. */
        List<Field> fieldSection(boolean header) throws BinaryHttpException {
            List<Field> fields = new ArrayList<>();
            if (atEnd()) {
                return fields;
            }
            if (knownLength) {
                long length = varint("field section length");
                if (length > data.length - at) {
                    throw new BinaryHttpException("field section longer than the message");
                }
                int end = at + (int) length;
                while (at < end) {
                    fields.add(fieldLine(end, header, fields));
                }
            } else {
                while (true) {
                    long nameLength = varint("field section");
                    if (nameLength == 0) {
                        break;
                    }
                    fields.add(fieldLine(nameLength, data.length, header, fields));
                }
            }
            return fields;
        }

        private Field fieldLine(int end, boolean header, List<Field> before) throws BinaryHttpException {
            long nameLength = varint("field name length", end);
            if (nameLength == 0) {
                throw new BinaryHttpException("empty field name");
            }
            return fieldLine(nameLength, end, header, before);
        }

        private Field fieldLine(long nameLength, int end, boolean header, List<Field> before)
                throws BinaryHttpException {
            String name = new String(take(nameLength, end, "field name"), StandardCharsets.ISO_8859_1);
            String value = new String(take(varint("field value length", end), end, "field value"),
                    StandardCharsets.ISO_8859_1);
            checkField(name, value, header, before);
            return new Field(name, value);
        }

        byte[] content() throws BinaryHttpException {
            if (atEnd()) {
                return new byte[0];
            }
            if (knownLength) {
                return take(varint("content length"), data.length, "content");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                long chunk = varint("content chunk length");
                if (chunk == 0) {
                    return out.toByteArray();
                }
                out.writeBytes(take(chunk, data.length, "content chunk"));
            }
        }

        void padding() throws BinaryHttpException {
            for (; at < data.length; at++) {
                if (data[at] != 0) {
                    throw new BinaryHttpException("non-zero byte after the trailers (padding must be zero)");
                }
            }
        }
    }

    private static void checkField(String name, String value, boolean header, List<Field> before)
            throws BinaryHttpException {
        boolean pseudo = name.charAt(0) == ':';
        String bare = pseudo ? name.substring(1) : name;
        if (bare.isEmpty() || !isToken(bare, true)) {
            throw new BinaryHttpException("field name is not a lowercase token");
        }
        if (pseudo) {
            if (CONTROL_PSEUDO_FIELDS.contains(name)) {
                throw new BinaryHttpException("control data sent as a pseudo-field");
            }
            if (!header) {
                throw new BinaryHttpException("pseudo-field in trailers");
            }
            if (!before.isEmpty() && !before.get(before.size() - 1).isPseudo()) {
                throw new BinaryHttpException("pseudo-field after a regular field");
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                throw new BinaryHttpException("field value holds NUL, CR or LF");
            }
        }
        if (!value.isEmpty() && (isBlank(value.charAt(0)) || isBlank(value.charAt(value.length() - 1)))) {
            throw new BinaryHttpException("field value starts or ends with whitespace");
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }
}
