package net.doublehop.runtime.nexthop;

import io.vertx.core.MultiMap;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.transport.ChannelEnd;

/**
 * A next hop's answer whose tunnel is a Netty channel end: a stream of a multiplexed connection (HTTP/2, HTTP/3),
 * or the local client's HTTP/1.1 connection to A. Its status and headers, and the end as the tunnel; abandoning it
 * resets the end (a stream is reset, a connection closed). Protocols differ only in how UDP payloads travel.
 */
public abstract class StreamAnswer implements NextHopAnswer {

    private final int status;
    private final MultiMap headers;
    private final ChannelEnd end;

    protected StreamAnswer(int status, MultiMap headers, ChannelEnd end) {
        this.status = status;
        this.headers = headers;
        this.end = end;
    }

    @Override
    public int status() {
        return status;
    }

    @Override
    public String header(String name) {
        return headers.get(name);
    }

    /** The stream as a byte tunnel end (CONNECT). */
    @Override
    public TunnelEnd tunnel() {
        return end;
    }

    /** Abandons the request: the stream is reset both ways (an HTTP/1.1 connection is closed). */
    @Override
    public void abandon() {
        end.reset();
    }
}
