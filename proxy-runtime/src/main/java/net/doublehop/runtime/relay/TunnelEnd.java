package net.doublehop.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DuplexChannel;
import io.vertx.core.Handler;
import io.vertx.core.net.NetSocket;
import net.doublehop.runtime.vertx.NettyBuffers;
import net.doublehop.runtime.vertx.VertxTransport;

/**
 * One end of a tunnel as the relay drives it: bytes in, bytes out with backpressure, and the three ways it can
 * finish — its peer ends its data (half-close), it closes, or it fails. What "end my output" and "abort" mean
 * depends on what carries the end: a TCP connection half-closes, an HTTP/2 or HTTP/3 stream sends END_STREAM
 * and aborts with a reset, an HTTP/1.1 client's connection simply closes.
 *
 * <p>Data is Netty's {@link ByteBuf} with its ownership: the handler given a chunk owns it (writes it on, which
 * hands it over, or releases it), and {@link #write} takes the chunk it is given. Between two Netty channels a chunk
 * thus stays in the pooled buffer Netty read it into, with no copy and no wrapper.
 */
public interface TunnelEnd {

    /** Where read data goes; the handler owns each chunk it is given. */
    void handler(Handler<ByteBuf> handler);

    /** The peer ended its data (TCP FIN, END_STREAM); what it sends us may still flow the other way. */
    void endHandler(Handler<Void> handler);

    /** The end is gone: nothing more in or out. On a stream, also reported right after its end (Vert.x). */
    void closeHandler(Handler<Void> handler);

    void exceptionHandler(Handler<Throwable> handler);

    /** Writes {@code data} and takes ownership of it (released once written, or at once if the end is gone). */
    void write(ByteBuf data);

    boolean writeQueueFull();

    /** Called once the write queue has room again after {@link #writeQueueFull}. */
    void drainHandler(Handler<Void> handler);

    /** Stops reading from the peer until {@link #startReading}: the relay's backpressure. */
    void stopReading();

    void startReading();

    /** Ends this end's output after what was written: TCP half-close, END_STREAM, or an HTTP/1.1 close. */
    void endOutput();

    /** Closes without signalling an error (a stream ends; a connection closes). Safe to call more than once. */
    void close();

    /** Aborts: RST_STREAM on a stream, a close on a connection. Safe to call when already gone. */
    void reset();

    /**
     * A whole TCP connection on a Vert.x socket (Proxy A's HTTP/1.1 upgrade to B for CONNECT-UDP, when B refuses
     * extended CONNECT): half-closes its output.
     */
    static TunnelEnd tcp(NetSocket socket) {
        return new NetSocketEnd(socket);
    }

    /** A Vert.x TCP socket under a {@link TunnelEnd}. */
    final class NetSocketEnd implements TunnelEnd {

        private final NetSocket socket;
        private final DuplexChannel connection;

        NetSocketEnd(NetSocket socket) {
            this.socket = socket;
            this.connection = VertxTransport.duplexChannel(socket);
        }

        /** What Vert.x read, as a ByteBuf the handler may release (see {@link NettyBuffers#view}). */
        @Override
        public void handler(Handler<ByteBuf> handler) {
            socket.handler(handler == null ? null : b -> handler.handle(NettyBuffers.view(b)));
        }

        @Override
        public void endHandler(Handler<Void> handler) {
            socket.endHandler(handler);
        }

        @Override
        public void closeHandler(Handler<Void> handler) {
            socket.closeHandler(handler);
        }

        @Override
        public void exceptionHandler(Handler<Throwable> handler) {
            socket.exceptionHandler(handler);
        }

        @Override
        public void write(ByteBuf data) {
            socket.write(NettyBuffers.heapCopy(data)); // Vert.x cannot release a pooled buffer it is handed
        }

        @Override
        public boolean writeQueueFull() {
            return socket.writeQueueFull();
        }

        @Override
        public void drainHandler(Handler<Void> handler) {
            socket.drainHandler(handler);
        }

        /**
         * A whole TCP connection is stopped at the socket, by turning Netty's auto-read off, never with Vert.x's
         * {@code pause()}: a paused Vert.x socket queues what it already read, and when the peer closes, Vert.x
         * discards that queue together with the end of stream, so the last bytes a destination sent before
         * closing were lost. With auto-read off nothing is queued in Vert.x; what Netty still reads (at most the
         * current read, or the rest of the socket buffer when the peer closes) goes on to the writer's queue, in
         * order, before the end. (Without a Netty channel underneath, which Vert.x always gives here, pause.)
         */
        @Override
        public void stopReading() {
            if (connection != null) {
                connection.config().setAutoRead(false);
            } else {
                socket.pause();
            }
        }

        @Override
        public void startReading() {
            if (connection != null) {
                connection.config().setAutoRead(true);
            } else {
                socket.resume();
            }
        }

        @Override
        public void endOutput() {
            shutdownOutput();
        }

        @Override
        public void close() {
            closeQuietly(socket);
        }

        @Override
        public void reset() {
            close(); // a connection has no reset of its own: its close is the abort
        }

        /**
         * A TCP half-close. Vert.x's {@code NetSocket.end()} closes the whole socket, which would lose the
         * other side's answer, so go to the Netty channel for it.
         */
        private void shutdownOutput() {
            if (connection != null && connection.isActive()) {
                connection.eventLoop().execute(() -> {
                    connection.flush();
                    connection.shutdownOutput();
                });
                return;
            }
            socket.end();
        }

        /** Vert.x's close throws when the socket already ended; then there is nothing left to close. */
        static void closeQuietly(NetSocket socket) {
            try {
                socket.close();
            } catch (IllegalStateException alreadyEnded) {
                // see above
            }
        }
    }
}
