package net.doublehop.runtime.nexthop;

import io.netty.channel.EventLoop;

/**
 * A multiplexed connection to the next hop (HTTP/2, HTTP/3) as a pool sees it: whether it still takes new streams,
 * how many it carries, and on which event loop they run (a stream on the caller's own loop saves a thread hop).
 */
public interface NextHopConnection {

    /** True while new streams may be opened: connected, no GOAWAY, and below the peer's stream limit. */
    boolean isUsable();

    /** Connected (even if it takes no new streams). */
    boolean isOpen();

    /** Streams opened and not yet closed. */
    int activeStreams();

    EventLoop eventLoop();

    void close();
}
