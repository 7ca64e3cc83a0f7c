package net.doublehop.client;

import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelEnd;

/** Joins a local connection (or stream) to the tunnel the hops opened, with the proxies' relay. */
final class LocalTunnels {

    private LocalTunnels() {
    }

    /**
     * @param localHalfCloses true when the local end can end its data and still read (an HTTP/2 stream, or a
     *     SOCKS5 TCP connection, whose FIN ends only its direction)
     */
    static void relay(TunnelEnd local, boolean localHalfCloses, NextHopAnswer answer) {
        new Tunnel(new Tunnel.Legs(local, answer.tunnel()), localHalfCloses, System.nanoTime(), firstByte -> { },
                summary -> { }).start();
    }
}
