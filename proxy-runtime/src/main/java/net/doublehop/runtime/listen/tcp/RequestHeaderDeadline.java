package net.doublehop.runtime.listen.tcp;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code limits.request-header-timeout} on one TCP connection (nginx's {@code client_header_timeout}, HAProxy's
 * {@code timeout http-request}). The idle timeout only sees silence: a client that trickles one header byte a second
 * would hold its connection, a descriptor and buffers for as long as it likes. This deadline runs from the end of the
 * TLS handshake (in cleartext: from the accept) to the first complete request header section, and whenever the
 * protocol waits for one: HTTP/1.1 after each refused request, HTTP/2 from each header block's first frame to its
 * END_HEADERS. On expiry the protocol handler answers as its protocol allows ({@link #onExpiry}); before one is
 * installed the connection is simply closed. Confined to the connection's event loop.
 */
final class RequestHeaderDeadline {

    private static final AttributeKey<RequestHeaderDeadline> KEY = AttributeKey.valueOf("doublehop.headerDeadline");

    private final Channel channel;
    private final long timeoutNanos;
    private Runnable onExpiry;
    private ScheduledFuture<?> timer;

    private RequestHeaderDeadline(Channel channel, Duration timeout) {
        this.channel = channel;
        this.timeoutNanos = timeout.toNanos();
        this.onExpiry = channel::close;
    }

    /**
     * The deadline of a connection just accepted, running from now ({@code armNow}), or, behind TLS, from the end of
     * the handshake (which {@code limits.handshake-timeout} bounds on its own): {@link AlpnSelector} arms it then.
     */
    static RequestHeaderDeadline startOn(Channel ch, Duration timeout, boolean armNow) {
        RequestHeaderDeadline d = new RequestHeaderDeadline(ch, timeout);
        ch.attr(KEY).set(d);
        ch.closeFuture().addListener(f -> d.disarm());
        if (armNow) {
            d.arm();
        }
        return d;
    }

    /** The connection's deadline, set by {@link #startOn}. */
    static RequestHeaderDeadline of(Channel ch) {
        return ch.attr(KEY).get();
    }

    /** What expiry does, from now on: the protocol's answer. */
    void onExpiry(Runnable action) {
        this.onExpiry = action;
    }

    /** Starts the clock, unless it runs already (a deadline is never pushed back by arming it again). */
    void arm() {
        if (timer == null) {
            timer = channel.eventLoop().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** A complete header section arrived: the clock stops. */
    void disarm() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    boolean armed() {
        return timer != null;
    }

    private void expire() {
        timer = null;
        if (channel.isActive()) {
            onExpiry.run();
        }
    }
}
