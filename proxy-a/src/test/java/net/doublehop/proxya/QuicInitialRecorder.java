package net.doublehop.proxya;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Genuine QUIC v1 Initial datagrams, as a real client (Netty's QUIC codec) writes them, recorded by a UDP socket that
 * never answers: each has its own connection IDs and Initial keys, so a server can only tell them from a user's by
 * answering. What an Initial flood sends, replayed from many source ports.
 */
final class QuicInitialRecorder {

    private QuicInitialRecorder() {
    }

    /** {@code count} first datagrams of as many client connections (each at least 1,200 bytes, RFC 9000 §14.1). */
    static List<byte[]> record(int count) throws Exception {
        List<byte[]> initials = new ArrayList<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (DatagramSocket recorder = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            recorder.setSoTimeout(5_000);
            QuicSslContext ssl = QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocols(Http3.supportedApplicationProtocols()).build();
            byte[] buf = new byte[2048];
            while (initials.size() < count) {
                // A socket per connection, closed once its first datagram is in: no retransmission of it follows.
                Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                        .handler(Http3.newQuicClientCodecBuilder().sslContext(ssl)
                                .maxIdleTimeout(5, TimeUnit.SECONDS).build())
                        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
                // The connect never completes (nobody answers): only its first datagram is wanted.
                QuicChannel.newBootstrap(udp).handler(new ChannelInboundHandlerAdapter())
                        .remoteAddress(recorder.getLocalSocketAddress()).connect();
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    recorder.receive(p);
                } catch (SocketTimeoutException e) {
                    throw new IllegalStateException("the QUIC client sent no Initial in 5 s", e);
                }
                byte[] d = Arrays.copyOf(p.getData(), p.getLength());
                if (isLongHeaderOfType(d, INITIAL)) {
                    initials.add(d);
                }
                udp.close().sync();
                drain(recorder);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        return initials;
    }

    static final int INITIAL = 0;
    static final int RETRY = 3;

    /** RFC 9000 §17.2: header form bit set, version 1, and the long packet type in bits 4-5 of the first byte. */
    static boolean isLongHeaderOfType(byte[] d, int type) {
        return d.length >= 7 && (d[0] & 0x80) != 0 && d[1] == 0 && d[2] == 0 && d[3] == 0 && d[4] == 1
                && ((d[0] & 0x30) >> 4) == type;
    }

    private static void drain(DatagramSocket s) throws Exception {
        int timeout = s.getSoTimeout();
        s.setSoTimeout(1);
        byte[] buf = new byte[2048];
        try {
            while (true) {
                s.receive(new DatagramPacket(buf, buf.length));
            }
        } catch (SocketTimeoutException e) {
            // nothing left
        } finally {
            s.setSoTimeout(timeout);
        }
    }
}
