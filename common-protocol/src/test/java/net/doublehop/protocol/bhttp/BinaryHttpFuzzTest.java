package net.doublehop.protocol.bhttp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz targets (Jazzer) for Binary HTTP (RFC 9292), which an Oblivious HTTP gateway decodes from strangers: a
 * message is either refused with {@link BinaryHttpException} or decoded to one whose encoding (known-length
 * framing) decodes and encodes again to the same bytes.
 */
class BinaryHttpFuzzTest {

    @FuzzTest
    void request(byte[] input) throws BinaryHttpException {
        BinaryHttpRequest decoded;
        try {
            decoded = BinaryHttp.decodeRequest(input);
        } catch (BinaryHttpException e) {
            return;
        }
        byte[] encoded = BinaryHttp.encode(decoded);
        assertThat(BinaryHttp.encode(BinaryHttp.decodeRequest(encoded))).isEqualTo(encoded);
    }

    @FuzzTest
    void response(byte[] input) throws BinaryHttpException {
        BinaryHttpResponse decoded;
        try {
            decoded = BinaryHttp.decodeResponse(input);
        } catch (BinaryHttpException e) {
            return;
        }
        byte[] encoded = BinaryHttp.encode(decoded);
        assertThat(BinaryHttp.encode(BinaryHttp.decodeResponse(encoded))).isEqualTo(encoded);
    }
}
