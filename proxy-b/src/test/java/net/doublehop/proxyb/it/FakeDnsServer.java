package net.doublehop.proxyb.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal authoritative DNS server on a loopback UDP port (RFC 1035 §4): answers A and AAAA queries for
 * the names it is given and NXDOMAIN for anything else. Enough to drive Proxy B's real resolver path.
 */
final class FakeDnsServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Map<String, List<InetAddress>> records;
    private final Thread thread;

    FakeDnsServer(Map<String, List<InetAddress>> records) throws IOException {
        this.records = records;
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        thread = new Thread(this::serve, "fake-dns");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                byte[] answer = answer(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException | RuntimeException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(ByteBuffer q) {
        short id = q.getShort();
        q.getShort(); // flags
        q.getShort(); // qdcount (1)
        q.position(12);
        StringBuilder name = new StringBuilder();
        int start = q.position();
        for (int len = q.get(); len != 0; len = q.get()) {
            byte[] label = new byte[len];
            q.get(label);
            name.append(name.length() == 0 ? "" : ".").append(new String(label, java.nio.charset.StandardCharsets.US_ASCII));
        }
        int qtype = q.getShort() & 0xffff;
        q.getShort(); // qclass
        byte[] question = new byte[q.position() - start];
        q.position(start);
        q.get(question);
        List<InetAddress> all = records.get(name.toString().toLowerCase(Locale.ROOT));
        List<InetAddress> matching = all == null ? List.of() : all.stream()
                .filter(a -> qtype == 28 ? a instanceof Inet6Address : qtype == 1 && !(a instanceof Inet6Address))
                .toList();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(12);
        h.putShort(id).putShort((short) (all == null ? 0x8183 : 0x8180)) // response, RD+RA, NXDOMAIN or NOERROR
                .putShort((short) 1).putShort((short) matching.size()).putShort((short) 0).putShort((short) 0);
        out.writeBytes(h.array());
        out.writeBytes(question);
        for (InetAddress a : matching) {
            byte[] rdata = a.getAddress();
            ByteBuffer rr = ByteBuffer.allocate(12 + rdata.length);
            rr.putShort((short) 0xc00c).putShort((short) qtype).putShort((short) 1).putInt(5)
                    .putShort((short) rdata.length).put(rdata);
            out.writeBytes(rr.array());
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        socket.close();
    }
}
