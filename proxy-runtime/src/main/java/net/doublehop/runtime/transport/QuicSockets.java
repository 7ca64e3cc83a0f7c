package net.doublehop.runtime.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;

/** The socket-level settings of every QUIC socket, a listener's and a next-hop client's alike. */
public final class QuicSockets {

    /**
     * Asked of the kernel for each UDP socket; Linux caps it at {@code net.core.rmem_max} / {@code wmem_max} (raise
     * those for more). With the default 208 KiB, a congestion window's burst overflowed the receive buffer while the
     * event loop was busy (113 drops in one 13 s HTTP/3 download through A→B, none with 4 MiB), and every drop
     * shrinks the sender's window.
     */
    static final int SOCKET_BUFFER_BYTES = 4 << 20;

    private QuicSockets() {
    }

    /** {@code bootstrap} with the socket buffers asked for. */
    public static Bootstrap buffers(Bootstrap bootstrap) {
        return bootstrap.option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES);
    }
}
