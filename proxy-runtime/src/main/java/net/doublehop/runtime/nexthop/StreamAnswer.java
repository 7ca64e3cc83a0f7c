package net.doublehop.runtime.nexthop;

import io.vertx.core.MultiMap;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.transport.ChannelEnd;

/**
 * A next hop's answer to a request on a stream of a multiplexed connection (HTTP/2, HTTP/3): its status and
 * headers, and the stream as the tunnel end. Protocols differ only in how the stream carries UDP payloads.
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

    /** Abandons the request: the stream is reset both ways. */
    @Override
    public void abandon() {
        end.reset();
    }
}
