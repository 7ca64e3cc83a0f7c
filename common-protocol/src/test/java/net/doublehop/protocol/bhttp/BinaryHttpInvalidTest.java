package net.doublehop.protocol.bhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** RFC 9292 §4 invalid messages, truncation at a wrong point, and random input: always an exception, never a crash. */
class BinaryHttpInvalidTest {

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    private static final BinaryHttpRequest POST = new BinaryHttpRequest("POST", "https", "example.com", "/submit",
            List.of(new Field("content-type", "text/plain")), "hello".getBytes(),
            List.of(new Field("x-checksum", "abc")));

    @Test
    void roundTripsInBothFramings() throws BinaryHttpException {
        for (Framing f : Framing.values()) {
            for (boolean truncate : new boolean[] {false, true}) {
                byte[] wire = BinaryHttp.encode(POST, f, truncate, 3);
                assertThat(BinaryHttp.decodeRequest(wire)).isEqualTo(POST);
                assertThat(BinaryHttp.isResponse(wire)).isFalse();
            }
        }
    }

    @Test
    void truncationOnlyBeforeALengthPrefix() {
        byte[] wire = BinaryHttp.encode(POST);
        int accepted = 0;
        for (int len = 0; len < wire.length; len++) {
            byte[] cut = Arrays.copyOf(wire, len);
            try {
                BinaryHttp.decodeRequest(cut);
                accepted++;
            } catch (BinaryHttpException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
        // RFC 9292 §3.8: only the cuts right before the header, content and trailer length prefixes decode
        // (as if those parts were empty); every other cut is inside something and invalid
        assertThat(accepted).isEqualTo(3);
    }

    @Test
    void invalidMessages() {
        String p = "000347455405687474707300012f"; // GET https, no authority, path "/"
        String[] invalid = {
            "04",                                   // framing indicator 4
            "01",                                   // a response's indicator
            "0003474554056874747073000a",           // ends inside the path
            p + "05",                               // field section length 5, nothing follows
            p + "020000",                           // a field line with an empty name
            p + "0704486f73740161",                 // uppercase field name "Host"
            p + "08053a70617468012f",               // ":path" as a field
            p + "0703782d61026120",                 // value "a " ends with a space
            p + "0703782d6102610a",                 // value holds LF
            p + "00000001",                         // non-zero padding
            "00034745540568747470730000",           // no path for GET
            p + "000461",                           // content length 4, one byte follows
        };
        for (String h : invalid) {
            assertThatThrownBy(() -> BinaryHttp.decodeRequest(hex(h))).as(h).isInstanceOf(BinaryHttpException.class);
        }
        String[] invalidResponses = {
            "0140",                                 // ends inside the status code
            "01405a",                               // status 90
            "014258",                               // status 600
            "0140c809073a73746174757300",           // ":status" as a field
        };
        for (String h : invalidResponses) {
            assertThatThrownBy(() -> BinaryHttp.decodeResponse(hex(h))).as(h).isInstanceOf(BinaryHttpException.class);
        }
    }

    @Test
    void pseudoFieldsOnlyFirstAndNeverInTrailers() throws BinaryHttpException {
        BinaryHttpRequest ok = BinaryHttpRequest.of("CONNECT", "https", "example.com", "/",
                List.of(new Field(":protocol", "websocket"), new Field("x", "1")));
        assertThat(BinaryHttp.decodeRequest(BinaryHttp.encode(ok))).isEqualTo(ok);
        BinaryHttpRequest late = BinaryHttpRequest.of("CONNECT", "https", "example.com", "/",
                List.of(new Field("x", "1"), new Field(":protocol", "websocket")));
        assertThatThrownBy(() -> BinaryHttp.decodeRequest(BinaryHttp.encode(late)))
                .isInstanceOf(BinaryHttpException.class);
        BinaryHttpResponse trailer = new BinaryHttpResponse(List.of(), 200, List.of(), new byte[0],
                List.of(new Field(":x", "1")));
        assertThatThrownBy(() -> BinaryHttp.decodeResponse(BinaryHttp.encode(trailer)))
                .isInstanceOf(BinaryHttpException.class);
    }

    @Test
    void randomInputNeverEscapesAsAnythingButBinaryHttpException() {
        Random random = new Random(9292);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (b.length > 0) {
                b[0] = (byte) random.nextInt(4);
            }
            try {
                if (BinaryHttp.isResponse(b)) {
                    BinaryHttp.decodeResponse(b);
                } else {
                    BinaryHttp.decodeRequest(b);
                }
            } catch (BinaryHttpException expected) {
                // fine: invalid
            }
        }
    }
}
