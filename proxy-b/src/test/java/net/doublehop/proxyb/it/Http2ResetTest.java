package net.doublehop.proxyb.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 9113 §5.4.2: "an endpoint MUST NOT send a RST_STREAM in response to a RST_STREAM frame". Proxy A resets its
 * stream to B for every user who leaves; an answering reset would double the frames on the shared connection. The
 * frames are hand-written so the test sees every frame B sends.
 */
class Http2ResetTest {

    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int SETTINGS = 0x4;
    private static final int PING = 0x6;
    private static final int GOAWAY = 0x7;
    private static final int END_HEADERS = 0x4;
    private static final int ACK = 0x1;
    private static final int CANCEL = 0x8;
    private static ProxyBFixture fx;

    @BeforeAll
    static void start() throws Exception {
        fx = new ProxyBFixture("");
    }

    @AfterAll
    static void stop() throws Exception {
        fx.close();
    }

    record Frame(int type, int flags, int stream, byte[] payload) { }

    @Test
    void aResetStreamIsNotAnsweredWithAReset() throws Exception {
        try (RawProxyClient c = new RawProxyClient(fx.port(), true, null, "h2")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(RawHttp2.preface());
            out.write(RawHttp2.frame(HEADERS, END_HEADERS, 1, hpack(":method", "CONNECT", ":authority", fx.destEcho(),
                    "proxy-authorization", "Preshared " + ProxyBFixture.PSK)));
            c.sendBytes(out.toByteArray());
            DataInputStream in = new DataInputStream(c.input());
            List<Frame> seen = new ArrayList<>();
            Frame answer = readUntil(in, seen, f -> f.type() == HEADERS && f.stream() == 1);
            assertThat(answer).as("frames before the answer: %s", types(seen)).isNotNull();

            // the user leaves: RST_STREAM CANCEL, then a PING whose ACK marks where B's reaction to it has ended
            ByteArrayOutputStream bye = new ByteArrayOutputStream();
            bye.write(RawHttp2.frame(RST_STREAM, 0, 1, new byte[] {0, 0, 0, CANCEL}));
            bye.write(RawHttp2.frame(PING, 0, 0, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
            c.sendBytes(bye.toByteArray());
            seen.clear();
            Frame pong = readUntil(in, seen, f -> f.type() == PING && (f.flags() & ACK) != 0);
            assertThat(pong).as("frames after the reset: %s", types(seen)).isNotNull();
            assertThat(seen).as("frames after the reset: %s", types(seen))
                    .noneMatch(f -> f.type() == RST_STREAM || f.type() == GOAWAY);

            // and the connection serves the next tunnel
            c.sendBytes(RawHttp2.frame(HEADERS, END_HEADERS, 3, hpack(":method", "CONNECT", ":authority", fx.destEcho(),
                    "proxy-authorization", "Preshared " + ProxyBFixture.PSK)));
            seen.clear();
            assertThat(readUntil(in, seen, f -> f.type() == HEADERS && f.stream() == 3)).isNotNull();
        }
    }

    /** Reads frames into seen until one matches (returned), or the connection ends (null). */
    private static Frame readUntil(DataInputStream in, List<Frame> seen, java.util.function.Predicate<Frame> stop)
            throws IOException {
        while (true) {
            int length;
            try {
                length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
            } catch (IOException e) {
                return null;
            }
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            Frame f = new Frame(type, flags, stream, payload);
            if (stop.test(f)) {
                return f;
            }
            seen.add(f);
        }
    }

    private static List<String> types(List<Frame> frames) {
        return frames.stream().map(f -> "type " + f.type() + " stream " + f.stream()).toList();
    }

    /** HPACK (RFC 7541 §6.2.2): each field a literal without indexing, new name, no Huffman coding. */
    private static byte[] hpack(String... nameValues) {
        byte[][] fields = new byte[nameValues.length / 2][];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = RawHttp2.literal(nameValues[2 * i], nameValues[2 * i + 1]);
        }
        return RawHttp2.concat(fields);
    }
}
