package net.doublehop.runtime.nexthop;

import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.TunnelEnd;

/** What the next hop answered to a tunnel request: status and headers, and on success the stream or flow to it. */
public interface NextHopAnswer {

    int status();

    String header(String name);

    /** A 2xx to CONNECT: the stream to the next hop as a byte tunnel end. */
    TunnelEnd tunnel();

    /** A 2xx (or HTTP/1.1 101) to CONNECT-UDP: the flow to the next hop as whole UDP payloads. */
    DatagramEnd datagrams();

    /** Drops what this answer holds open at the next hop (resets the stream, closes a flow's own connection). */
    void abandon();
}
