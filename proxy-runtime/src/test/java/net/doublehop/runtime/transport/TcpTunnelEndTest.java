package net.doublehop.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import net.doublehop.runtime.vertx.LoopContext;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.relay.TunnelEnd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A dialled TCP connection as a tunnel end, against plain JDK sockets (which support half-close). */
class TcpTunnelEndTest {

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1));
    private final LoopContext context = LoopContext.current(vertx);
    private final ServerSocket server;

    TcpTunnelEndTest() throws Exception {
        server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
    }

    @AfterEach
    void close() throws Exception {
        server.close();
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private Future<TunnelEnd> connect(String from) {
        CompletableFuture<Future<TunnelEnd>> f = new CompletableFuture<>();
        context.runOnContext(v -> f.complete(TcpTunnelEnd.connect(context,
                new InetSocketAddress("127.0.0.1", server.getLocalPort()), new InetSocketAddress(from, 0),
                Duration.ofSeconds(5))));
        return f.join();
    }

    /** What a tunnel end reported: its data, whether each chunk was a pooled Netty buffer, and its end and close. */
    private static final class Seen {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<Boolean> owned = new CopyOnWriteArrayList<>();
        final List<ByteBuf> buffers = new CopyOnWriteArrayList<>();
        final CountDownLatch ended = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        volatile boolean closedBeforeEnd;

        void watch(TunnelEnd end) {
            end.endHandler(v -> ended.countDown());
            end.closeHandler(v -> {
                closedBeforeEnd = ended.getCount() > 0;
                closed.countDown();
            });
            end.handler(b -> {
                owned.add(b.alloc().isDirectBufferPooled() && b.refCnt() == 1);
                buffers.add(b);
                synchronized (data) {
                    data.writeBytes(ByteBufUtil.getBytes(b));
                }
                b.release(); // what the relay's writer does with it, written or not
            });
        }

        String text() {
            synchronized (data) {
                return data.toString(StandardCharsets.US_ASCII);
            }
        }
    }

    @Test
    void endingTheOutputHalfClosesAfterEverythingQueuedAndTheAnswerStillComesBack() throws Exception {
        int chunks = 512; // 32 MiB: more than the socket buffers hold while the destination does not read
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<Long> received = new CompletableFuture<>();
        Thread destination = new Thread(() -> {
            try (Socket s = server.accept()) {
                source.complete(s.getInetAddress().getHostAddress());
                Thread.sleep(300); // the writes queue up in Netty meanwhile
                long n = 0;
                InputStream in = s.getInputStream();
                byte[] buf = new byte[65536];
                for (int r; (r = in.read(buf)) >= 0; ) {
                    n += r;
                }
                received.complete(n); // EOF: B's half-close
                s.getOutputStream().write(("got " + n).getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                received.completeExceptionally(e);
            }
        });
        destination.start();

        TunnelEnd end = connect("127.0.0.2").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Seen seen = new Seen();
        context.runOnContext(v -> {
            seen.watch(end);
            for (int i = 0; i < chunks; i++) {
                end.write(Unpooled.wrappedBuffer(new byte[65536]));
            }
            end.endOutput();
        });

        assertThat(source.get(10, TimeUnit.SECONDS)).isEqualTo("127.0.0.2"); // the bound egress address
        assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(chunks * 65536L);
        assertThat(seen.ended.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.closedBeforeEnd).isFalse();
        assertThat(seen.text()).isEqualTo("got " + chunks * 65536L);
        // Netty's pooled buffers reach the handler without a copy, and the writer's release frees them.
        assertThat(seen.owned).isNotEmpty().containsOnly(true);
        assertThat(seen.buffers).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void whatTheDestinationSendsBeforeTheRelayIsWiredIsHeldThenEndedAndClosed() throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        Thread destination = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.getOutputStream().write("220 banner\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (Exception e) {
                // the test fails on what it does not see
            }
            sent.countDown();
        });
        destination.start();

        TunnelEnd end = connect("127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200); // the data and the FIN arrive with nobody listening yet
        Seen seen = new Seen();
        context.runOnContext(v -> seen.watch(end));

        assertThat(seen.ended.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.closedBeforeEnd).isFalse();
        assertThat(seen.text()).isEqualTo("220 banner\r\n");
    }

    @Test
    void aRefusalFailsTheConnectWithConnectException() throws Exception {
        int port = server.getLocalPort();
        server.close();
        CompletableFuture<Future<TunnelEnd>> f = new CompletableFuture<>();
        context.runOnContext(v -> f.complete(TcpTunnelEnd.connect(context, new InetSocketAddress("127.0.0.1", port),
                new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(5))));
        Throwable cause = f.join().toCompletionStage().toCompletableFuture()
                .handle((end, t) -> t instanceof java.util.concurrent.CompletionException c ? c.getCause() : t)
                .get(10, TimeUnit.SECONDS);
        assertThat(cause).isInstanceOf(ConnectException.class);
        assertThat(cause.getMessage()).contains("refused");
    }
}
