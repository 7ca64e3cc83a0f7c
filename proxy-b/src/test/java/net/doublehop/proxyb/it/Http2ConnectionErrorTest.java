package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9113 §5.4.1: a connection error is answered by a GOAWAY carrying its error code, then the close; GOAWAY
 * NO_ERROR is for a graceful shutdown only. Each violation is sent in one write, small enough that the listener reads
 * all of it before it closes, so its close is a FIN and the GOAWAY is always there to be read (a flood still arriving
 * would make the close a reset, and the client's stack may then drop the GOAWAY unread).
 */
class Http2ConnectionErrorTest {

    private static final int PROTOCOL_ERROR = 0x1;
    private static final int ENHANCE_YOUR_CALM = 0xb;

    private static ProxyBFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new ProxyBFixture("");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    private static RawHttp2.GoAway answerTo(byte[] violation) throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true, null, "h2")) {
            c.sendBytes(RawHttp2.concat(RawHttp2.preface(), violation));
            return RawHttp2.goAwayThenClose(c);
        }
    }

    @Test
    void dataOnTheConnectionStreamGetsGoAwayProtocolError() throws Exception {
        // §6.1: DATA frames MUST be associated with a stream
        RawHttp2.GoAway g = answerTo(RawHttp2.frame(RawHttp2.DATA, 0, 0, new byte[] {1}));
        assertThat(g).isNotNull();
        assertThat(g.error()).isEqualTo(PROTOCOL_ERROR);
    }

    @Test
    void continuationOfAnotherStreamGetsGoAwayProtocolError() throws Exception {
        // §6.10: a header block's CONTINUATION frames must follow on its own stream
        RawHttp2.GoAway g = answerTo(RawHttp2.concat(
                RawHttp2.frame(RawHttp2.HEADERS, 0, 1, RawHttp2.literal(":method", "CONNECT")),
                RawHttp2.frame(RawHttp2.CONTINUATION, 0, 3, new byte[] {0})));
        assertThat(g).isNotNull();
        assertThat(g.error()).isEqualTo(PROTOCOL_ERROR);
    }

    @Test
    void emptyDataFramesOnATunnelGetGoAwayEnhanceYourCalm() throws Exception {
        byte[] connect = RawHttp2.concat(RawHttp2.literal(":method", "CONNECT"),
                RawHttp2.literal(":authority", fx.destEcho()),
                RawHttp2.literal("proxy-authorization", "Preshared " + ProxyBFixture.PSK));
        byte[] empty = RawHttp2.frame(RawHttp2.DATA, 0, 1, new byte[0]);
        RawHttp2.GoAway g = answerTo(RawHttp2.concat(RawHttp2.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS, 1, connect),
                empty, empty, empty, empty));
        assertThat(g).isNotNull();
        assertThat(g.error()).isEqualTo(ENHANCE_YOUR_CALM);
        // stream 1 was taken: the GOAWAY must not report it unprocessed (§6.8)
        assertThat(g.lastStreamId()).isGreaterThanOrEqualTo(1);
    }
}
