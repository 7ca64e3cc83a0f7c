package net.doublehop.protocol.masque;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzz targets (Jazzer) for the MASQUE wire formats read from clients and next hops: QUIC variable-length integers
 * (RFC 9000 §16), the Capsule Protocol stream (RFC 9297 §3), HTTP Datagram payloads and quarter stream IDs (RFC 9297
 * §2.1, RFC 9298 §5), and the CONNECT-UDP URI template (RFC 9298 §2, RFC 6570). None of these may throw on any input
 * (the template's configuration parser may refuse with {@link IllegalArgumentException}).
 */
class MasqueFuzzTest {

    /** A varint decodes the same from an array and a buffer, and re-encodes, at its own length, to its bytes. */
    @FuzzTest
    void varint(byte[] input) {
        long fromArray = QuicVarInt.peek(input, 0, input.length);
        ByteBuffer buf = ByteBuffer.wrap(input);
        long read = QuicVarInt.read(buf);
        assertThat(read).isEqualTo(fromArray);
        if (read == QuicVarInt.NEED_MORE) {
            assertThat(buf.position()).isZero();
            return;
        }
        int length = QuicVarInt.lengthOf(input[0]);
        assertThat(buf.position()).isEqualTo(length);
        assertThat(read).isBetween(0L, QuicVarInt.MAX_VALUE);
        byte[] again = new byte[length];
        QuicVarInt.write(read, length, again, 0);
        assertThat(again).isEqualTo(Arrays.copyOf(input, length));
        assertThat(QuicVarInt.isMinimal(read, length)).isEqualTo(QuicVarInt.encodedLength(read) == length);
    }

    /**
     * A capsule stream yields the same events however it is cut into chunks (TCP and QUIC cut anywhere), and the
     * parser never throws. The first bytes choose the chunk sizes, the rest is the stream.
     */
    @FuzzTest
    void capsules(FuzzedDataProvider data) {
        int[] cuts = new int[data.consumeInt(0, 16)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = data.consumeInt(1, 64);
        }
        boolean discard = data.consumeBoolean();
        byte[] stream = data.consumeRemainingAsBytes();
        List<Object> whole = events(stream, new int[0], discard);
        assertThat(events(stream, cuts, discard)).isEqualTo(whole);
        assertThat(events(stream, new int[] {1}, discard)).isEqualTo(whole);
    }

    /** A parsed capsule as a value: its type and bytes (compared, not formatted: this runs millions of times). */
    private record ParsedValue(long type, ByteBuffer value) {
        @Override
        public String toString() {
            byte[] b = new byte[value.remaining()];
            value.duplicate().get(b);
            return "parsed " + type + " " + Arrays.toString(b);
        }
    }

    private static List<Object> events(byte[] stream, int[] cuts, boolean discard) {
        CapsuleParser parser = discard
                ? new CapsuleParser(64, t -> t == Capsule.DATAGRAM, CapsuleParser.OversizePolicy.DISCARD)
                : UdpPayload.capsuleParser();
        List<Object> out = new ArrayList<>();
        int at = 0;
        int cut = 0;
        while (at < stream.length) {
            int n = cuts.length == 0 ? stream.length - at : Math.min(cuts[cut++ % cuts.length], stream.length - at);
            ByteBuffer chunk = ByteBuffer.wrap(Arrays.copyOfRange(stream, at, at + n));
            at += n;
            while (true) {
                CapsuleEvent e = parser.next(chunk);
                if (e == CapsuleEvent.NEED_MORE) {
                    assertThat(chunk.hasRemaining()).isFalse();
                    break;
                }
                out.add(describe(e));
                if (e instanceof CapsuleEvent.Failed) {
                    return out;
                }
            }
        }
        out.add(describe(parser.endOfStream()));
        return out;
    }

    /** The event as a value to compare; a parsed capsule's bytes are copied (its view may be a reused chunk). */
    private static Object describe(CapsuleEvent e) {
        if (e instanceof CapsuleEvent.Parsed p) {
            ByteBuffer v = p.capsule().value();
            byte[] b = new byte[v.remaining()];
            v.duplicate().get(b);
            return new ParsedValue(p.capsule().type(), ByteBuffer.wrap(b));
        }
        return e;
    }

    @FuzzTest
    void datagramPayloads(byte[] input) {
        ByteBuffer buf = ByteBuffer.wrap(input);
        QuarterStreamId.Decoded q = QuarterStreamId.decode(buf);
        if (q instanceof QuarterStreamId.Datagram d) {
            assertThat(QuarterStreamId.isClientBidirectional(d.streamId())).isTrue();
            assertThat(UdpPayload.decode(d.payload())).isNotNull();
        }
        UdpPayload.Decoded u = UdpPayload.decode(buf);
        if (u instanceof UdpPayload.Udp udp) {
            assertThat(udp.payload().remaining()).isLessThanOrEqualTo(UdpPayload.MAX_UDP_PAYLOAD);
        }
        assertThat(buf.position()).isZero(); // decoding consumes nothing
    }

    private static final MasqueUriTemplate DEFAULT = MasqueUriTemplate.defaultFor("proxy.example", 443);

    /**
     * Request targets against the default template: never an exception; a match expands back to a request target
     * that matches to the same UDP target.
     */
    @FuzzTest
    void requestTargets(byte[] input) {
        String target = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertMatchRoundTrips(DEFAULT, target);
    }

    /** Configured templates: refused only with IllegalArgumentException; a parsed one behaves like the default. */
    @FuzzTest
    void templates(FuzzedDataProvider data) {
        String template = data.consumeString(300);
        String target = data.consumeRemainingAsString();
        MasqueUriTemplate t;
        try {
            t = MasqueUriTemplate.parse(template);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertMatchRoundTrips(t, target);
    }

    private static void assertMatchRoundTrips(MasqueUriTemplate template, String target) {
        MasqueUriTemplate.Match m = template.match(target);
        assertThat(m).isNotNull();
        if (m instanceof MasqueUriTemplate.Matched matched) {
            String again = template.expandPathAndQuery(matched.target());
            assertThat(template.match(again)).as(again).isEqualTo(m);
        }
    }
}
