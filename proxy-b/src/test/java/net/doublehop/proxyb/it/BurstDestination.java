package net.doublehop.proxyb.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A loopback TCP destination that writes {@link #BYTES} to each connection at once and closes without
 * waiting, as a server ending a close-delimited response does. The close reaches a proxy while most of
 * the data is still queued in it, so a relay that drops its queue on close loses the tail. Byte i is
 * {@code i % 251}, so a reader can check order as well as count. Public for Proxy A's tests.
 */
public final class BurstDestination implements AutoCloseable {

    public static final int BYTES = 8 * 1024 * 1024;

    private final ServerSocket server;

    public BurstDestination() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::accept, "burst-destination");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** What every connection receives. */
    public static byte[] bytes() {
        byte[] data = new byte[BYTES];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 251);
        }
        return data;
    }

    /** Fails with the count and the first wrong offset (not a dump of 8 MiB) unless all arrived in order. */
    public static void assertReceivedAll(byte[] received) {
        int mismatch = java.util.Arrays.mismatch(received, bytes());
        if (mismatch >= 0) {
            throw new AssertionError("received " + received.length + " of " + BYTES + " bytes; first difference at "
                    + mismatch);
        }
    }

    /** {@code 127.0.0.1:port}, a CONNECT target. */
    public String authority() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        byte[] data = bytes();
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> {
                    try (s) {
                        s.getOutputStream().write(data);
                    } catch (IOException e) {
                        // the test sees the missing bytes
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
