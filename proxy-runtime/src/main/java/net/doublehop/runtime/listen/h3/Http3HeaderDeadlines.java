package net.doublehop.runtime.listen.h3;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code limits.request-header-timeout} on one HTTP/3 connection: a new connection must deliver a complete request
 * HEADERS frame within it (else it is closed with H3_NO_ERROR, RFC 9114 §5.2), and each request stream must
 * deliver its HEADERS within it of the stream's first frame (else the stream is reset both ways with
 * H3_REQUEST_INCOMPLETE, RFC 9114 §8.1, and the connection's other streams go on). The QUIC idle timeout sees only
 * silence, and the codec hands on only whole frames, so a HEADERS frame trickled a byte at a time would otherwise
 * hold a stream, and a connection without requests, for as long as its client likes. Confined to the connection's
 * event loop (its streams share it).
 */
final class Http3HeaderDeadlines {

    /** RFC 9114 §8.1: the client's stream terminated without containing a fully formed request. */
    static final int H3_REQUEST_INCOMPLETE = 0x10d;
    /** RFC 9114 §8.1: no error; used to close a connection that is no longer needed. */
    static final int H3_NO_ERROR = 0x100;

    private static final Logger LOG = System.getLogger("proxy.connections");

    private final QuicChannel connection;
    private final long timeoutNanos;
    private ScheduledFuture<?> firstRequest;

    /** The deadline of a connection just created: its first request is due within {@code timeout}. */
    Http3HeaderDeadlines(QuicChannel connection, Duration timeout) {
        this.connection = connection;
        this.timeoutNanos = timeout.toNanos();
        this.firstRequest = connection.eventLoop().schedule(this::noRequest, timeoutNanos, TimeUnit.NANOSECONDS);
        connection.closeFuture().addListener(f -> cancelFirst());
    }

    /** A request stream opened: the returned timer resets it unless {@link #headersReceived} cancels it first. */
    ScheduledFuture<?> streamOpened(QuicStreamChannel stream) {
        return stream.eventLoop().schedule(() -> noHeaders(stream), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    /** A stream's request HEADERS arrived complete. */
    void headersReceived(ScheduledFuture<?> streamTimer) {
        if (streamTimer != null) {
            streamTimer.cancel(false);
        }
        cancelFirst();
    }

    private void cancelFirst() {
        if (firstRequest != null) {
            firstRequest.cancel(false);
            firstRequest = null;
        }
    }

    private void noRequest() {
        firstRequest = null;
        if (connection.isActive()) {
            LOG.log(Level.DEBUG, "HTTP/3 connection without a request within limits.request-header-timeout: closed");
            connection.close(true, H3_NO_ERROR,
                    Unpooled.copiedBuffer("request header timeout", StandardCharsets.US_ASCII));
        }
    }

    private static void noHeaders(QuicStreamChannel stream) {
        if (stream.isActive()) {
            LOG.log(Level.DEBUG, "HTTP/3 request stream without HEADERS within limits.request-header-timeout: reset");
            stream.shutdown(H3_REQUEST_INCOMPLETE).addListener(f -> stream.close());
        }
    }
}
