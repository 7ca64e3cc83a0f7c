package net.doublehop.runtime.listen;

/**
 * HTTP/2 flow-control windows for tunnels (RFC 9113 §5.2). Each stream may have {@link #STREAM} bytes in
 * flight unread. The connection window must never be the tighter limit: a tunnel whose reader stops (a
 * client that never reads, a destination that never reads) holds its stream's window unread, and if those
 * held bytes could fill the connection window, every other tunnel on the connection, other users' tunnels on
 * a shared A→B connection among them, would stall. So the connection window is the stream window times the
 * streams a connection may carry: per-stream flow control alone bounds memory, per tunnel.
 */
public final class Http2Windows {

    /** Bytes one tunnel may have in flight per direction: enough for bulk transfer on a fast link. */
    public static final int STREAM = 1024 * 1024;

    private Http2Windows() {
    }

    /** The connection window for a connection carrying at most {@code maxStreams} concurrent streams. */
    public static int connection(long maxStreams) {
        long window = Math.max(1, maxStreams) * STREAM;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(window, STREAM));
    }
}
