package net.doublehop.proxyb.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written HTTP/2 frames (RFC 9113 §4.1) and HPACK literals (RFC 7541 §6.2.2), for tests that send what no
 * HTTP/2 client library would (unfinished header blocks, floods), over a {@link RawProxyClient} with ALPN h2.
 * Public for Proxy A's tests.
 */
public final class RawHttp2 {

    public static final int DATA = 0x0;
    public static final int HEADERS = 0x1;
    public static final int SETTINGS = 0x4;
    public static final int PING = 0x6;
    public static final int GOAWAY = 0x7;
    public static final int CONTINUATION = 0x9;
    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;

    private RawHttp2() {
    }

    public static byte[] preface() {
        return concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                frame(0x4, 0, 0, new byte[0])); // and an empty SETTINGS
    }

    public static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    /** A literal header field without indexing, new name, no Huffman coding (names and values under 127). */
    public static byte[] literal(String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[3 + n.length + v.length];
        out[0] = 0x00;
        out[1] = (byte) n.length;
        System.arraycopy(n, 0, out, 2, n.length);
        out[2 + n.length] = (byte) v.length;
        System.arraycopy(v, 0, out, 3 + n.length, v.length);
        return out;
    }

    public static byte[] concat(byte[]... parts) {
        int len = 0;
        for (byte[] p : parts) {
            len += p.length;
        }
        byte[] out = new byte[len];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Reads frames until the server closes; their types. Fails if it does not close within the read timeout. */
    public static List<Integer> readFramesToEnd(RawProxyClient c) throws IOException {
        DataInputStream in = new DataInputStream(c.input());
        List<Integer> types = new ArrayList<>();
        try {
            while (true) {
                types.add(readFrame(in));
            }
        } catch (EOFException | javax.net.ssl.SSLException | java.net.SocketException closed) {
            return types;
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("connection still open; frames so far: " + types);
        }
    }

    /** A GOAWAY frame's fields (RFC 9113 §6.8). */
    public record GoAway(int lastStreamId, int error) {
    }

    /**
     * Reads frames until the server closes the connection; the error code of the first GOAWAY among them, or -1 when
     * it closed without one. Fails if the connection is still open at the read timeout.
     */
    public static int goAwayErrorThenClose(RawProxyClient c) throws IOException {
        GoAway first = goAwayThenClose(c);
        return first == null ? -1 : first.error();
    }

    /**
     * Reads frames until the server closes the connection; the first GOAWAY among them, or null when it closed without
     * one. Fails if the connection is still open at the read timeout.
     */
    public static GoAway goAwayThenClose(RawProxyClient c) throws IOException {
        DataInputStream in = new DataInputStream(c.input());
        GoAway first = null;
        try {
            while (true) {
                byte[] head = new byte[9];
                in.readFully(head);
                int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
                byte[] payload = new byte[length];
                in.readFully(payload);
                if ((head[3] & 0xff) == GOAWAY && length >= 8 && first == null) {
                    first = new GoAway(int32(payload, 0) & 0x7fffffff, int32(payload, 4));
                }
            }
        } catch (EOFException | javax.net.ssl.SSLException | java.net.SocketException closed) {
            return first;
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("connection still open at the read timeout");
        }
    }

    private static int int32(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }

    /** Reads frames until one of {@code type} (true) or the connection's end (false). */
    public static boolean readUntil(RawProxyClient c, int type) throws IOException {
        DataInputStream in = new DataInputStream(c.input());
        try {
            while (true) {
                int t = readFrame(in);
                if (t == type) {
                    return true;
                }
                if (t == GOAWAY) {
                    return false;
                }
            }
        } catch (EOFException closed) {
            return false;
        }
    }

    private static int readFrame(DataInputStream in) throws IOException {
        byte[] head = new byte[9];
        in.readFully(head);
        int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
        in.readFully(new byte[length]);
        return head[3] & 0xff;
    }
}
