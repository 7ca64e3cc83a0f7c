package net.doublehop.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.vertx.VertxTransport;
import net.doublehop.runtime.vertx.NettyBuffers;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.nexthop.NextHopAnswer;

/**
 * A SOCKS5 UDP ASSOCIATE (RFC 1928 §7): a UDP port on loopback for one client. Each datagram carries a SOCKS5
 * UDP request header naming its destination; every destination gets a CONNECT-UDP flow (RFC 9298) through the
 * {@link Upstream}, opened on its first datagram, and what the flow brings back goes to the client with the same
 * header. Only datagrams from the client's address are taken (and from the port it announced, or else the first
 * one it sends from); fragments are dropped, as §7 allows. Everything runs on one event loop.
 */
final class UdpAssociation {

    private static final Logger LOG = System.getLogger("doublehop-client");
    /** Destinations one association may talk to at once; datagrams to more are dropped. */
    static final int MAX_FLOWS = 64;
    /** Datagrams held per flow while it opens; more are dropped, as UDP may drop them. */
    static final int MAX_PENDING = 32;

    private final LoopContext context;
    private final Upstream upstream;
    private final InetAddress clientIp;
    private final Map<Socks5Address, Flow> flows = new HashMap<>();
    private final Promise<Void> closed;
    private Channel socket;
    private int clientPort;

    private UdpAssociation(LoopContext context, Upstream upstream, InetAddress clientIp, int clientPort) {
        this.context = context;
        this.upstream = upstream;
        this.clientIp = clientIp;
        this.clientPort = clientPort;
        this.closed = context.promise();
    }

    /** Binds the relay port on {@code local} (the address the client reached the SOCKS5 listener on). */
    static Future<UdpAssociation> open(LoopContext context, Upstream upstream, InetAddress local,
            InetAddress clientIp, int clientPort) {
        UdpAssociation a = new UdpAssociation(context, upstream, clientIp, clientPort);
        Promise<UdpAssociation> bound = context.promise();
        new Bootstrap().group(context.nettyEventLoop())
                .channelFactory(VertxTransport.of(context.owner()).datagramChannelFactory())
                .handler(a.new Inbound())
                .bind(new InetSocketAddress(local, 0))
                .addListener(f -> {
                    if (f.isSuccess()) {
                        a.socket = ((io.netty.channel.ChannelFuture) f).channel();
                        bound.complete(a);
                    } else {
                        bound.fail(f.cause());
                    }
                });
        return bound.future();
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.localAddress();
    }

    /** The SOCKS5 control connection closed: every flow ends (§7). */
    void close() {
        context.nettyEventLoop().execute(() -> {
            closed.tryComplete();
            flows.values().forEach(Flow::close);
            flows.clear();
            socket.close();
        });
    }

    private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress from = packet.sender();
            if (!from.getAddress().equals(clientIp) || clientPort != 0 && from.getPort() != clientPort) {
                return; // not our client
            }
            clientPort = from.getPort();
            ByteBuf in = packet.content();
            // RSV (2), FRAG (1), then the address; fragments (FRAG != 0) are dropped
            if (in.readableBytes() < 4 || in.readUnsignedShort() != 0 || in.readUnsignedByte() != 0) {
                return;
            }
            Socks5Address destination;
            try {
                destination = Socks5Address.read(in);
            } catch (Socks5Address.UnsupportedType e) {
                return;
            }
            if (destination == null) {
                return;
            }
            Buffer payload = Buffer.buffer(remainingBytes(in));
            Flow flow = flows.get(destination);
            if (flow == null) {
                if (flows.size() >= MAX_FLOWS || closed.future().isComplete()) {
                    return;
                }
                ConnectTarget target;
                try {
                    target = destination.target();
                } catch (ProxyFailure bad) {
                    return;
                }
                flow = new Flow(destination);
                flows.put(destination, flow);
                flow.open(target);
            }
            flow.send(payload);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.DEBUG, "SOCKS5 UDP relay error: {0}", cause.toString());
        }
    }

    private static byte[] remainingBytes(ByteBuf in) {
        byte[] b = new byte[in.readableBytes()];
        in.readBytes(b);
        return b;
    }

    /** One destination's CONNECT-UDP flow. */
    private final class Flow {
        private final Socks5Address destination;
        private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
        private DatagramEnd end;
        private boolean gone;

        Flow(Socks5Address destination) {
            this.destination = destination;
        }

        void open(ConnectTarget target) {
            upstream.openUdp(context, target, closed.future()).onComplete(ar -> context.nettyEventLoop().execute(() -> {
                NextHopAnswer answer = ar.succeeded() ? ar.result() : null;
                // 2xx, or over HTTP/1.1 101 to the upgrade (RFC 9298 §3.2)
                boolean up = answer != null && (answer.status() / 100 == 2 || answer.status() == 101);
                if (!up || gone) {
                    if (answer != null) {
                        answer.abandon();
                    }
                    LOG.log(Level.DEBUG, "UDP flow refused: {0}", answer == null ? ar.cause().toString()
                            : String.valueOf(answer.status()));
                    end();
                    return;
                }
                end = answer.datagrams();
                end.payloadHandler(this::toClient);
                end.closeHandler(v -> context.nettyEventLoop().execute(this::end));
                while (!pending.isEmpty()) {
                    end.send(pending.poll());
                }
            }));
        }

        void send(Buffer payload) {
            if (end != null) {
                end.send(payload);
            } else if (pending.size() < MAX_PENDING) {
                pending.add(payload);
            }
        }

        private void toClient(Buffer payload) {
            context.nettyEventLoop().execute(() -> {
                if (!socket.isActive() || clientPort == 0) {
                    return;
                }
                ByteBuf out = socket.alloc().buffer(22 + payload.length());
                out.writeShort(0).writeByte(0);
                destination.write(out);
                out.writeBytes(NettyBuffers.view(payload));
                socket.writeAndFlush(new DatagramPacket(out, new InetSocketAddress(clientIp, clientPort)));
            });
        }

        /** The flow ended (refused, or closed by the hops): the next datagram to this destination opens another. */
        private void end() {
            gone = true;
            pending.clear();
            flows.remove(destination, this);
            if (end != null) {
                end.close();
            }
        }

        void close() {
            gone = true;
            pending.clear();
            if (end != null) {
                end.close();
            }
        }
    }
}
