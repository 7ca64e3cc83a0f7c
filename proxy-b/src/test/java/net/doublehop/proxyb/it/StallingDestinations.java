package net.doublehop.proxyb.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Destinations that misbehave on purpose, for the bad-input tests of both proxies. Public for Proxy A's tests. */
public final class StallingDestinations {

    private StallingDestinations() {
    }

    /** A listening port whose accept queue is full, so a new connection's SYN is never answered: a slow destination. */
    public static final class FullAcceptQueue implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> fillers = new ArrayList<>();

        public FullAcceptQueue() throws IOException {
            server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
            for (int i = 0; i < 4; i++) {
                Socket f = new Socket();
                try {
                    f.connect(server.getLocalSocketAddress(), 200);
                } catch (IOException full) {
                    // queue already full: that is the state we want
                }
                fillers.add(f);
            }
        }

        public int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket f : fillers) {
                f.close();
            }
            server.close();
        }
    }

    /** A destination that writes as fast as its peer takes data, counting what it pushed. */
    public static final class Firehose implements AutoCloseable {
        private final NetServer server;
        private final AtomicLong pushed = new AtomicLong();

        public Firehose(Vertx vertx) throws Exception {
            Buffer chunk = Buffer.buffer(new byte[64 * 1024]);
            server = vertx.createNetServer().connectHandler(socket -> {
                // Writes to a closed socket are dropped at once and never fill the queue: stop on close, or the
                // pump would spin on the event loop forever.
                boolean[] closed = new boolean[1];
                socket.closeHandler(v -> closed[0] = true);
                Runnable[] pump = new Runnable[1];
                pump[0] = () -> {
                    while (!closed[0] && !socket.writeQueueFull()) {
                        socket.write(chunk);
                        pushed.addAndGet(chunk.length());
                    }
                    socket.drainHandler(v -> pump[0].run());
                };
                pump[0].run();
            }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
        }

        public int port() {
            return server.actualPort();
        }

        public long pushed() {
            return pushed.get();
        }

        /**
         * Waits 2 s, then 2 s more, and fails unless the push stopped growing: with backpressure on every leg
         * the buffers between here and a client that never reads hold a few MiB; without it, GiBs by now.
         */
        public void assertBackpressureHolds() throws InterruptedException {
            Thread.sleep(2_000);
            long first = pushed();
            Thread.sleep(2_000);
            long second = pushed();
            if (second >= 64L * 1024 * 1024 || second - first >= 4L * 1024 * 1024) {
                throw new AssertionError("destination pushed " + first + " then " + second + " bytes to a client "
                        + "that never reads: backpressure is not holding");
            }
        }

        @Override
        public void close() throws Exception {
            server.close().await(10, TimeUnit.SECONDS);
        }
    }
}
