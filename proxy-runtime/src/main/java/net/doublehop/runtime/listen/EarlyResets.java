package net.doublehop.runtime.listen;

import java.util.concurrent.TimeUnit;

/**
 * The Rapid Reset defence (CVE-2023-44487) of one HTTP/2 or HTTP/3 connection: how many streams the client reset before they
 * were answered, per 30 s. That is the attack's signature: each such stream costs the server a request's work
 * (here: authentication, a signature check, a dial) while never counting against the stream limit for long.
 *
 * <p>Resets of answered streams are not counted. Those tunnels cost a full round trip each and the stream limit
 * bounds them, and Proxy A resets one on its shared connection for every user who leaves mid-transfer: at a few
 * hundred departures a second, counting them (as Netty's per-frame limit does) made B cut every user's tunnel
 * with GOAWAY. One instance per connection, used on its event loop only.
 */
public final class EarlyResets {

    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final int max;
    private long windowStart;
    private int count;

    public EarlyResets(int maxPer30s, long now) {
        this.max = maxPer30s;
        this.windowStart = now;
    }

    /** The budget per 30 s ({@code limits.max-stream-resets-per-30s}). */
    public int max() {
        return max;
    }

    /** Counts one early reset at {@code now}; false once the connection is over its budget. */
    public boolean allow(long now) {
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            count = 0;
        }
        return ++count <= max;
    }
}
