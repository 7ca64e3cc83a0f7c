package net.doublehop.client;

import io.vertx.core.Future;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.runtime.nexthop.NextHopAnswer;

/**
 * Where the local listeners send each tunnel: a CONNECT or a CONNECT-UDP for a destination, answered by the hop
 * that reaches it (Proxy B, through A). A non-2xx answer is returned as is, for the listener to translate.
 */
interface Upstream {

    /**
     * A TCP tunnel to {@code target}; {@code cancelled} completing first drops the request. The answer completes on
     * {@code context}, whose event loop carries the stream (the caller's: the relay stays on one thread).
     */
    Future<NextHopAnswer> openTcp(LoopContext context, ConnectTarget target, Future<?> cancelled);

    /** A UDP flow to {@code target} (CONNECT-UDP, RFC 9298). */
    Future<NextHopAnswer> openUdp(LoopContext context, ConnectTarget target, Future<?> cancelled);

    void close();
}
