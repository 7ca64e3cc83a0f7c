package net.doublehop.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.quic.QuicSslContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import net.doublehop.runtime.nexthop.Http3ClientConnection;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.vertx.VertxTransport;

/**
 * Oblivious mode's QUIC to Proxy B: an HTTP/3 connection ({@link Http3ClientConnection}, the one A uses towards B)
 * whose UDP packets travel as the payloads of a CONNECT-UDP flow through Proxy A to B's QUIC port (RFC 9298). The
 * QUIC stack wants a UDP peer, so a loopback socket of ours stands in for B: what the QUIC client sends to it goes
 * into the flow, one packet per payload, and what the flow brings back is sent from it to the QUIC client. A relays
 * these payloads to B from its own UDP socket and sees only encrypted QUIC packets; B sees A's address.
 */
final class QuicOverConnectUdp {

    private QuicOverConnectUdp() {
    }

    /**
     * Runs QUIC (TLS 1.3, ALPN h3, {@code serverName}'s certificate verified) over {@code flow}; the flow, the
     * loopback socket and the connection end together. Call on {@code context}.
     */
    static Future<Http3ClientConnection> open(LoopContext context, DatagramEnd flow, String serverName,
            QuicSslContext tls, Duration connectTimeout, Duration idleTimeout) {
        Promise<Http3ClientConnection> result = context.promise();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        Bridge bridge = new Bridge(flow);
        new Bootstrap().group(context.nettyEventLoop())
                .channelFactory(VertxTransport.of(context.owner()).datagramChannelFactory())
                .handler(bridge)
                .bind(new InetSocketAddress(loopback, 0))
                .addListener(bound -> {
                    if (!bound.isSuccess()) {
                        flow.close();
                        result.fail(bound.cause());
                        return;
                    }
                    Channel socket = ((io.netty.channel.ChannelFuture) bound).channel();
                    bridge.socket = socket;
                    flow.payloadHandler(bridge::toQuic);
                    flow.closeHandler(v -> socket.close());
                    socket.closeFuture().addListener(f -> flow.close());
                    Http3ClientConnection.connect(context, (InetSocketAddress) socket.localAddress(),
                            new InetSocketAddress(loopback, 0), serverName, tls, connectTimeout, idleTimeout)
                            .onComplete(connected -> {
                                if (connected.failed()) {
                                    socket.close();
                                    result.fail(connected.cause());
                                    return;
                                }
                                Http3ClientConnection quic = connected.result();
                                quic.closeFuture().onComplete(v -> socket.close());
                                socket.closeFuture().addListener(f -> quic.close());
                                result.complete(quic);
                            });
                });
        return result.future();
    }

    /** The loopback socket standing for B: packets from the QUIC client into the flow, and back. */
    private static final class Bridge extends SimpleChannelInboundHandler<DatagramPacket> {
        private final DatagramEnd flow;
        private Channel socket;
        /** The QUIC client's socket: the first to send to us, the only one answered. */
        private InetSocketAddress quicClient;

        Bridge(DatagramEnd flow) {
            this.flow = flow;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (quicClient == null) {
                quicClient = packet.sender();
            } else if (!quicClient.equals(packet.sender())) {
                return; // only our own QUIC client talks to this socket
            }
            ByteBuf in = packet.content();
            byte[] payload = new byte[in.readableBytes()];
            in.readBytes(payload);
            flow.send(Buffer.buffer(payload));
        }

        void toQuic(Buffer payload) {
            Channel s = socket;
            InetSocketAddress to = quicClient;
            if (s != null && to != null && s.isActive()) {
                s.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload.getBytes()), to));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a UDP error (the QUIC client's socket closed, say): the connection's own timeout decides
        }
    }
}
