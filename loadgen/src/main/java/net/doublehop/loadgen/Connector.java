package net.doublehop.loadgen;

import io.netty.channel.ChannelHandler;
import io.netty.util.concurrent.Future;

/** Opens tunnels to the target: straight (--direct), or through an HTTP/1.1 or HTTP/2 CONNECT proxy. */
public interface Connector extends AutoCloseable {

    /**
     * Opens one tunnel. Once the tunnel carries raw bytes, {@code handler} is the last handler of its pipeline
     * (it sees ByteBufs; writes ByteBufs) and the future succeeds, on the tunnel's event loop. Tunnel bytes that
     * came in with the CONNECT answer are passed to the handler right after the future's listeners ran.
     */
    Future<Tunnel> open(ChannelHandler handler);

    /** Whether a CONNECT answer time is measured (false for --direct). */
    boolean proxied();

    @Override
    void close();
}
