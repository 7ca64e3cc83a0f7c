package net.doublehop.protocol.bhttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.doublehop.protocol.HexVectors;
import org.junit.jupiter.api.Test;

/** RFC 9292 Section 5: the four example encodings decode to their messages and re-encode byte for byte. */
class Rfc9292ExamplesTest {

    private static final HexVectors V = HexVectors.load(Rfc9292ExamplesTest.class, "rfc9292-section-5.txt");

    private static final BinaryHttpRequest REQUEST = BinaryHttpRequest.of("GET", "https", "", "/hello.txt", List.of(
            new Field("user-agent", "curl/7.16.3 libcurl/7.16.3 OpenSSL/0.9.7l zlib/1.2.3"),
            new Field("host", "www.example.com"),
            new Field("accept-language", "en, mi")));

    @Test
    void figure8KnownLengthRequest() throws BinaryHttpException {
        byte[] wire = V.bytes("request_known_length");
        assertThat(BinaryHttp.decodeRequest(wire)).isEqualTo(REQUEST);
        assertThat(BinaryHttp.encode(REQUEST)).isEqualTo(wire);
        // §5.1: "the last two bytes ... can each be removed without altering the semantics"
        assertThat(BinaryHttp.decodeRequest(Arrays.copyOf(wire, wire.length - 1))).isEqualTo(REQUEST);
        assertThat(BinaryHttp.decodeRequest(Arrays.copyOf(wire, wire.length - 2))).isEqualTo(REQUEST);
        assertThat(BinaryHttp.encode(REQUEST, Framing.KNOWN_LENGTH, true, 0))
                .isEqualTo(Arrays.copyOf(wire, wire.length - 2));
    }

    @Test
    void figure9IndeterminateLengthRequestWithPadding() throws BinaryHttpException {
        byte[] wire = V.bytes("request_indeterminate_length");
        assertThat(BinaryHttp.decodeRequest(wire)).isEqualTo(REQUEST);
        assertThat(BinaryHttp.encode(REQUEST, Framing.INDETERMINATE_LENGTH, false, 10)).isEqualTo(wire);
        // §5.1: "anything up to 12 bytes can be removed from this message without affecting its meaning"
        for (int cut = 1; cut <= 12; cut++) {
            assertThat(BinaryHttp.decodeRequest(Arrays.copyOf(wire, wire.length - cut))).isEqualTo(REQUEST);
        }
    }

    @Test
    void figure11IndeterminateLengthResponseWithInformationalResponses() throws BinaryHttpException {
        byte[] wire = V.bytes("response_indeterminate_length");
        BinaryHttpResponse expected = new BinaryHttpResponse(List.of(
                new BinaryHttpResponse.Informational(102, List.of(new Field("running", "\"sleep 15\""))),
                new BinaryHttpResponse.Informational(103, List.of(
                        new Field("link", "</style.css>; rel=preload; as=style"),
                        new Field("link", "</script.js>; rel=preload; as=script")))),
                200, List.of(
                        new Field("date", "Mon, 27 Jul 2009 12:28:53 GMT"),
                        new Field("server", "Apache"),
                        new Field("last-modified", "Wed, 22 Jul 2009 19:15:56 GMT"),
                        new Field("etag", "\"34aa387-d-1568eb00\""),
                        new Field("accept-ranges", "bytes"),
                        new Field("content-length", "51"),
                        new Field("vary", "Accept-Encoding"),
                        new Field("content-type", "text/plain")),
                "Hello World! My content includes a trailing CRLF.\r\n".getBytes(StandardCharsets.US_ASCII),
                List.of());
        assertThat(BinaryHttp.decodeResponse(wire)).isEqualTo(expected);
        assertThat(BinaryHttp.encode(expected, Framing.INDETERMINATE_LENGTH, false, 0)).isEqualTo(wire);
    }

    @Test
    void figure13KnownLengthResponseWithTrailer() throws BinaryHttpException {
        byte[] wire = V.bytes("response_known_length");
        BinaryHttpResponse expected = new BinaryHttpResponse(List.of(), 200, List.of(),
                "This content contains CRLF.\r\n".getBytes(StandardCharsets.US_ASCII),
                List.of(new Field("trailer", "text")));
        assertThat(BinaryHttp.decodeResponse(wire)).isEqualTo(expected);
        assertThat(BinaryHttp.encode(expected)).isEqualTo(wire);
    }
}
