package net.doublehop.proxyb.egress;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/**
 * Start-up check that every pool address is really ours: bind TCP and UDP to it on an ephemeral port.
 * The error names the pool and address, so the operator can fix the config or the interface at once.
 */
public final class EgressBindCheck {

    private EgressBindCheck() {
    }

    public static void check(List<EgressPool> pools) {
        for (EgressPool pool : pools) {
            for (InetAddress a : pool.addresses()) {
                try (Socket tcp = new Socket(); DatagramSocket udp = new DatagramSocket(null)) {
                    tcp.bind(new InetSocketAddress(a, 0));
                    udp.bind(new InetSocketAddress(a, 0));
                } catch (IOException e) {
                    throw new IllegalStateException("egress pool '" + pool.name() + "': cannot bind address "
                            + a.getHostAddress() + ": " + e.getMessage());
                }
            }
        }
    }
}
