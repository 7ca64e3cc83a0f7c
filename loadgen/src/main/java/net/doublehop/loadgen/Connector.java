package net.doublehop.loadgen;

import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;

/** Opens tunnels to the target: straight (--direct), or through an HTTP/1.1, HTTP/2 or HTTP/3 CONNECT (or CONNECT-UDP) proxy. */
public interface Connector extends AutoCloseable {

    /**
     * Opens one tunnel. Once the tunnel carries raw bytes, {@code handler} is the last handler of its pipeline
     * (it sees ByteBufs; writes ByteBufs) and the future succeeds, on the tunnel's event loop. Tunnel bytes that
     * came in with the CONNECT answer are passed to the handler right after the future's listeners ran.
     */
    Future<Tunnel> open(ChannelHandler handler);

    /** Whether a CONNECT answer time is measured (false for --direct). */
    boolean proxied();

    /** End of the warm-up: what the connector counts starts again from zero. */
    default void measureFromNow() { }

    /** What the connector itself counted (e.g. h3: datagrams vs capsules), after the run; nothing by default. */
    default void results(java.util.Map<String, Object> totals, java.util.List<String> summary) { }

    @Override
    void close();
}
