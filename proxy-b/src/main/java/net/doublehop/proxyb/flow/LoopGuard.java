package net.doublehop.proxyb.flow;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.doublehop.geo.Cidr;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/**
 * B's own listening sockets (the proxy port, TCP and, with {@code http3}, UDP; the admin port; the OHTTP relay's),
 * so that a tunnel to one of them is refused as a loop (RFC 9209 §2.3.32 {@code proxy_loop_detected}, 502) rather
 * than B dialling itself: each such tunnel would take a second tunnel slot at B for nothing, and a chain of them a
 * slot each. An address is ours when it is the listen address, or, listening on a wildcard, any address of this
 * host (loopback, or an interface's); {@code 0.0.0.0} and {@code ::} always reach this host.
 */
public final class LoopGuard {

    static final ProxyFailure LOOP = ProxyFailure.of(ProxyErrorType.PROXY_LOOP_DETECTED, "destination is this proxy");

    /** The listen address, or null for a wildcard. */
    private final InetAddress listen;
    private final Set<Integer> ports = ConcurrentHashMap.newKeySet();

    /** @param listenHost the proxy listener's host from the configuration (an address, a name, or a wildcard) */
    public LoopGuard(String listenHost) {
        InetAddress a;
        try {
            a = InetAddress.getByName(listenHost);
        } catch (UnknownHostException e) {
            a = null; // the listener cannot bind it either; then treat it as any of this host's addresses
        }
        this.listen = a == null || a.isAnyLocalAddress() ? null : a;
    }

    /** A port this proxy listens on (known once its listeners are bound: the configuration may say 0). */
    public void listening(int port) {
        if (port > 0) {
            ports.add(port);
        }
    }

    /** Throws {@link #LOOP} when {@code address:port} is one of this proxy's own listeners. */
    void check(InetAddress address, int port) {
        if (ports.contains(port) && isThisHost(Cidr.unmapped(address))) {
            throw LOOP;
        }
    }

    private boolean isThisHost(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return true;
        }
        if (listen != null) {
            return a.equals(listen);
        }
        if (a.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null; // only for a port of ours: rare
        } catch (SocketException e) {
            return false;
        }
    }
}
