package net.doublehop.runtime.transport;

import net.doublehop.runtime.vertx.VertxTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import net.doublehop.runtime.vertx.LoopContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.tcp.ConnectionGuard;

/**
 * A TCP connection we dialled (Proxy B's connection to the destination) as a tunnel end, on plain Netty: connected
 * on the event loop of the caller's Vert.x context with Vert.x's transport (epoll when native, as the listener),
 * so the relay between it and the client end stays on one thread. What it reads goes to a relay whose other end
 * is a Netty channel too in the pooled buffer Netty read it into, not a heap copy;
 * what the relay writes is written with the client ends' coalesced flushing.
 *
 * <p>Its output ends with a TCP half-close after everything written (the client ended its data; the destination's
 * answer still comes back). The destination's FIN ends this end's data and then closes the connection, as the
 * Vert.x socket did before: the tunnel then winds down (the client gets END_STREAM or its connection closed).
 */
public final class TcpTunnelEnd extends ChannelEnd {

    private TcpTunnelEnd(Channel channel, LoopContext context) {
        super(channel, context);
    }

    /**
     * Connects to {@code remote} from {@code local} (port 0: any) with TCP_NODELAY. The future completes on
     * {@code context}; it fails with Netty's exception ({@code ConnectTimeoutException}, a
     * {@code ConnectException} for a refusal, ...).
     */
    public static Future<TunnelEnd> connect(LoopContext context, InetSocketAddress remote,
            InetSocketAddress local, Duration connectTimeout) {
        Promise<TunnelEnd> result = context.promise();
        Events events = new Events(context, true);
        Bootstrap dial = new Bootstrap();
        io.vertx.core.Vertx vertx = context.owner();
        if (vertx.isNativeTransportEnabled() && Epoll.isAvailable()) {
            // The source port is chosen at connect(), per destination, not at bind(): binding the egress
            // address alone would reserve a port for every destination, and an egress address would run out
            // of ephemeral ports at ~28k tunnels in total instead of ~28k per destination.
            dial.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        dial.group(context.nettyEventLoop())
                .channelFactory(VertxTransport.of(vertx).channelFactory(false))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                // The FIN reaches us as an event, after what was read before it (see Events).
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // Vert.x's pooled allocator, as the listener's connections: one set of arenas.
                .option(ChannelOption.ALLOCATOR, VertxTransport.pooledAllocator())
                .handler(events)
                .connect(remote, local)
                .addListener(f -> {
                    if (f.isSuccess()) {
                        result.tryComplete(events.end);
                    } else {
                        result.tryFail(f.cause());
                    }
                });
        return result.future();
    }

    /**
     * A TCP connection accepted elsewhere (the local client's SOCKS5 connection, once its handshake is done) as a
     * tunnel end: its events go to the end from now on. Call on the channel's event loop, with the handlers that
     * parsed the handshake already removed; the channel should allow half-closure (ALLOW_HALF_CLOSURE) so that the
     * peer's FIN arrives as an event. Its FIN ends its data only (the answer still flows back; the relay closes the
     * connection once both directions are done), unlike a dialled destination's.
     */
    public static TunnelEnd adopt(LoopContext context, Channel channel) {
        Events events = new Events(context, false);
        channel.pipeline().addLast(events);
        return events.end;
    }

    @Override
    protected Object frame(ByteBuf data) {
        return data;
    }

    /**
     * TCP half-close once everything written has left (a shutdown right away would fail what is still queued);
     * when the peer ended its data too, the connection simply closes. Vert.x's socket could not half-close: its
     * {@code end()} closes the whole connection.
     */
    @Override
    protected void writeEnd() {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!f.isSuccess() || inputEnded()) {
                channel.close();
            } else {
                ((DuplexChannel) channel).shutdownOutput().addListener(s -> {
                    if (!s.isSuccess()) {
                        channel.close();
                    }
                });
            }
        });
    }

    /** A connection has no reset of its own: its close is the abort. */
    @Override
    protected void writeReset() {
        channel.close();
    }

    /** Closes now: nothing more goes either way, and what was read but not relayed is dropped. */
    @Override
    public void close() {
        reset();
    }

    /**
     * The channel's events to its end, installed before the connect: the end exists from registration, and no
     * exception reaches the pipeline's tail.
     */
    private static final class Events extends ChannelEndEvents {
        private final LoopContext context;
        private final boolean closeOnFin;

        Events(LoopContext context, boolean closeOnFin) {
            this.context = context;
            this.closeOnFin = closeOnFin;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            end = new TcpTunnelEnd(ctx.channel(), context);
        }

        /** The destination's FIN: what it sent before has been read; end its data, then close as Vert.x did. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                end.inputClosed();
                if (closeOnFin) {
                    ctx.channel().flush();
                    ctx.close();
                }
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ConnectionGuard.logQuietly("destination connection error", cause);
            super.exceptionCaught(ctx, cause);
        }
    }
}
