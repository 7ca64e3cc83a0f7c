package net.doublehop.proxya;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback DNS server that holds every query until {@link #release()}, then answers A queries with 127.0.0.1
 * and any other type with an empty NOERROR: a way to keep Proxy B's answer to a request in flight for as long
 * as a test needs (B resolves a CONNECT-UDP target before it answers).
 */
final class HeldDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final List<DatagramPacket> held = new ArrayList<>();
    private boolean released;

    HeldDnsServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        Thread t = new Thread(this::serve, "held-dns");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** How many queries arrived so far. */
    synchronized int queries() {
        return held.size();
    }

    /** Answers the held queries and every later one at once. */
    synchronized void release() throws IOException {
        released = true;
        for (DatagramPacket p : held) {
            answer(p);
        }
    }

    private void serve() {
        while (!socket.isClosed()) {
            try {
                byte[] buf = new byte[512];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                synchronized (this) {
                    held.add(p);
                    if (released) {
                        answer(p);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private void answer(DatagramPacket p) throws IOException {
        ByteBuffer q = ByteBuffer.wrap(p.getData(), 0, p.getLength());
        short id = q.getShort();
        q.position(12);
        int start = q.position();
        for (int len = q.get(); len != 0; len = q.get()) {
            q.position(q.position() + len);
        }
        int qtype = q.getShort() & 0xffff;
        q.getShort(); // qclass
        byte[] question = new byte[q.position() - start];
        q.position(start);
        q.get(question);
        boolean a = qtype == 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(12);
        h.putShort(id).putShort((short) 0x8180).putShort((short) 1).putShort((short) (a ? 1 : 0))
                .putShort((short) 0).putShort((short) 0);
        out.writeBytes(h.array());
        out.writeBytes(question);
        if (a) {
            ByteBuffer rr = ByteBuffer.allocate(16);
            rr.putShort((short) 0xc00c).putShort((short) 1).putShort((short) 1).putInt(5).putShort((short) 4)
                    .put(new byte[] {127, 0, 0, 1});
            out.writeBytes(rr.array());
        }
        byte[] reply = out.toByteArray();
        SocketAddress to = p.getSocketAddress();
        socket.send(new DatagramPacket(reply, reply.length, to));
    }

    @Override
    public void close() {
        socket.close();
    }
}
