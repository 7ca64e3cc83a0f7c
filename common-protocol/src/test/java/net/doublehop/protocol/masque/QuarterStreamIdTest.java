package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** RFC 9297 §2.1 HTTP/3 Datagram prefix: stream ID / 4 as a varint, and what is not valid. */
class QuarterStreamIdTest {

    @ParameterizedTest(name = "stream {0} -> {1}")
    @CsvSource({
        "0,                   00",               // first request stream
        "4,                   01",
        "252,                 3f",               // quarter 63, last one-byte prefix
        "256,                 4040",             // quarter 64, two bytes
        "4611686018427387900, cfffffffffffffff", // 2^62-4, quarter 2^60-1
    })
    void encodes(long streamId, String hex) {
        assertThat(Hex.of(QuarterStreamId.encode(streamId))).isEqualTo(hex);
        QuarterStreamId.Decoded d = QuarterStreamId.decode(Hex.buffer(hex, "00"));
        assertThat(d).isInstanceOf(QuarterStreamId.Datagram.class);
        assertThat(((QuarterStreamId.Datagram) d).streamId()).isEqualTo(streamId);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 6, 7, -4, 4611686018427387904L /* 2^62 */})
    void onlyClientBidirectionalStreamsHaveOne(long streamId) {
        assertThat(QuarterStreamId.isClientBidirectional(streamId)).isFalse();
        assertThatThrownBy(() -> QuarterStreamId.encode(streamId)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodesDatagramWithUdpPayload() {
        QuarterStreamId.Decoded d = QuarterStreamId.decode(Hex.buffer(
                "4040",    // quarter stream ID 64 -> stream 256
                "00",      // context ID 0
                "cafe"));  // UDP payload
        QuarterStreamId.Datagram g = (QuarterStreamId.Datagram) d;
        assertThat(g.streamId()).isEqualTo(256);
        assertThat(g.quarterStreamId()).isEqualTo(64);
        assertThat(Hex.of(g.payload())).isEqualTo("00cafe");
        assertThat(((UdpPayload.Udp) UdpPayload.decode(g.payload())).payload()).isEqualTo(Hex.buffer("cafe"));
    }

    @Test
    void emptyPayloadIsAllowed() {
        QuarterStreamId.Decoded d = QuarterStreamId.decode(Hex.buffer(
                "01"));    // quarter stream ID 1, HTTP Datagram Payload empty
        assertThat(((QuarterStreamId.Datagram) d).payload().remaining()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "40", "80ffff", "c0000000000000"})
    void tooShortForTheQuarterStreamId(String hex) {
        assertThat(QuarterStreamId.decode(Hex.buffer(hex)))
                .isEqualTo(new QuarterStreamId.Invalid(QuarterStreamId.Error.TRUNCATED));
        assertThat(QuarterStreamId.Error.TRUNCATED.connectionErrorCode()).isEqualTo(0x33);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "d000000000000000", // 2^60, the first value naming no stream
        "ffffffffffffffff", // 2^62-1
    })
    void quarterStreamIdAbove2To60IsAnError(String hex) {
        assertThat(QuarterStreamId.decode(Hex.buffer(hex, "00")))
                .isEqualTo(new QuarterStreamId.Invalid(QuarterStreamId.Error.TOO_LARGE));
        assertThatThrownBy(() -> QuarterStreamId.toStreamId(QuicVarInt.peek(Hex.buffer(hex), 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nonMinimalPrefixIsAccepted() {
        QuarterStreamId.Decoded d = QuarterStreamId.decode(Hex.buffer(
                "80000001", // quarter stream ID 1 on four bytes
                "00"));     // context ID 0
        assertThat(((QuarterStreamId.Datagram) d).streamId()).isEqualTo(4);
    }

    @Test
    void streamLimit() {
        // With MAX_STREAMS (bidi) = 10, streams 0, 4, ..., 36 can exist; 40 cannot.
        assertThat(QuarterStreamId.exceedsStreamLimit(36, 10)).isFalse();
        assertThat(QuarterStreamId.exceedsStreamLimit(40, 10)).isTrue();
        assertThat(QuarterStreamId.exceedsStreamLimit(0, 0)).isTrue();
    }

    @Test
    void writeAndToStreamId() {
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertThat(QuarterStreamId.write(400, dst)).isEqualTo(2);
        assertThat(Hex.of(dst.flip())).isEqualTo("4064"); // 100 on two bytes
        assertThat(QuarterStreamId.toStreamId(100)).isEqualTo(400);
        assertThat(QuarterStreamId.of(400)).isEqualTo(100);
    }
}
