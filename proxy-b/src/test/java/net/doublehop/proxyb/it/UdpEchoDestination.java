package net.doublehop.proxyb.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * A loopback UDP destination that answers each datagram with {@code from=<sender address> <payload>}, so a
 * CONNECT-UDP test can check which egress address the proxy used. Public for Proxy A's tests.
 */
public final class UdpEchoDestination implements AutoCloseable {

    private final DatagramSocket socket;

    public UdpEchoDestination() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(this::serve, "udp-echo");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[65535];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] reply = ("from=" + p.getAddress().getHostAddress() + " "
                        + new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1))
                        .getBytes(StandardCharsets.ISO_8859_1);
                socket.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
