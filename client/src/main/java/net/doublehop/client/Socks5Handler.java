package net.doublehop.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.vertx.core.Promise;
import net.doublehop.runtime.vertx.LoopContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.List;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.transport.TcpTunnelEnd;

/**
 * One SOCKS5 connection (RFC 1928): the method negotiation (only "no authentication required" is offered: the
 * listener is on loopback and the user's credential is the client's own, for A), then one request. CONNECT becomes
 * a tunnel through the {@link Upstream}; UDP ASSOCIATE a {@link UdpAssociation} whose flows ride CONNECT-UDP; BIND
 * and unknown commands, unknown address types and bad versions get the RFC's reply code and the connection is
 * closed. Runs on the connection's event loop; nothing is read past the request until the tunnel is up.
 */
final class Socks5Handler extends ByteToMessageDecoder {

    private static final Logger LOG = System.getLogger("doublehop-client");

    static final int VERSION = 5;
    static final int NO_AUTHENTICATION = 0x00;
    static final int NO_ACCEPTABLE_METHODS = 0xFF;
    static final int CONNECT = 1;
    static final int BIND = 2;
    static final int UDP_ASSOCIATE = 3;
    /** A domain name is at most 255 bytes; a greeting lists at most 255 methods: nothing legal is longer. */
    private static final int MAX_MESSAGE = 2 + 255 + 6 + 255;

    private enum State { GREETING, REQUEST, WAITING, DONE }

    private final LoopContext context;
    private final Upstream upstream;
    private State state = State.GREETING;

    Socks5Handler(LoopContext context, Upstream upstream) {
        this.context = context;
        this.upstream = upstream;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case GREETING -> greeting(ctx, in);
            case REQUEST -> request(ctx, in);
            default -> in.skipBytes(in.readableBytes()); // a client that does not wait for our reply
        }
        if (in.readableBytes() > MAX_MESSAGE && (state == State.GREETING || state == State.REQUEST)) {
            fail(ctx, null);
        }
    }

    /** §3: VER, NMETHODS, METHODS. */
    private void greeting(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < 2) {
            return;
        }
        int version = in.getUnsignedByte(in.readerIndex());
        if (version != VERSION) {
            fail(ctx, null); // SOCKS4 or not SOCKS at all: no reply format to answer in, so close
            return;
        }
        int n = in.getUnsignedByte(in.readerIndex() + 1);
        if (in.readableBytes() < 2 + n) {
            return;
        }
        in.skipBytes(2);
        boolean noAuth = false;
        for (int i = 0; i < n; i++) {
            noAuth |= in.readUnsignedByte() == NO_AUTHENTICATION;
        }
        if (!noAuth) {
            state = State.DONE;
            ctx.writeAndFlush(ctx.alloc().buffer(2).writeByte(VERSION).writeByte(NO_ACCEPTABLE_METHODS))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.REQUEST;
        ctx.writeAndFlush(ctx.alloc().buffer(2).writeByte(VERSION).writeByte(NO_AUTHENTICATION));
    }

    /** §4: VER, CMD, RSV, ATYP, DST.ADDR, DST.PORT. */
    private void request(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() < 4) {
            return;
        }
        int start = in.readerIndex();
        int version = in.getUnsignedByte(start);
        int command = in.getUnsignedByte(start + 1);
        if (version != VERSION) {
            fail(ctx, Socks5Replies.GENERAL_FAILURE);
            return;
        }
        Socks5Address address;
        in.readerIndex(start + 3);
        try {
            address = Socks5Address.read(in);
        } catch (Socks5Address.UnsupportedType e) {
            fail(ctx, Socks5Replies.ADDRESS_TYPE_NOT_SUPPORTED);
            return;
        }
        if (address == null) {
            in.readerIndex(start);
            return;
        }
        switch (command) {
            case CONNECT -> connect(ctx, address);
            case UDP_ASSOCIATE -> associate(ctx, address);
            default -> fail(ctx, Socks5Replies.COMMAND_NOT_SUPPORTED); // BIND (2) and anything else
        }
    }

    private void connect(ChannelHandlerContext ctx, Socks5Address address) {
        ConnectTarget target;
        try {
            target = address.target();
        } catch (ProxyFailure bad) {
            fail(ctx, Socks5Replies.GENERAL_FAILURE); // a port of 0, a name that cannot be one
            return;
        }
        state = State.WAITING;
        ctx.channel().config().setAutoRead(false);
        Promise<Void> gone = Promise.promise();
        ctx.channel().closeFuture().addListener(f -> gone.tryComplete());
        upstream.openTcp(context, target, gone.future()).onComplete(ar -> ctx.executor().execute(() -> {
            if (ar.failed()) {
                LOG.log(Level.DEBUG, "tunnel setup failed: {0}", ar.cause().toString());
                fail(ctx, Socks5Replies.GENERAL_FAILURE);
                return;
            }
            NextHopAnswer answer = ar.result();
            int code = Socks5Replies.of(answer);
            if (code != Socks5Replies.SUCCEEDED) {
                answer.abandon();
                fail(ctx, code);
                return;
            }
            if (!ctx.channel().isActive()) {
                answer.abandon();
                return;
            }
            reply(ctx, Socks5Replies.SUCCEEDED, Socks5Address.of((InetSocketAddress) ctx.channel().localAddress()));
            state = State.DONE;
            // The connection is now the tunnel's local end; what the client sent early follows the reply.
            var local = TcpTunnelEnd.adopt(context, ctx.channel());
            ctx.pipeline().remove(this);
            LocalTunnels.relay(local, true, answer);
        }));
    }

    /** §7: a UDP relay port for this client, alive as long as this TCP connection. */
    private void associate(ChannelHandlerContext ctx, Socks5Address expected) {
        state = State.WAITING;
        InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
        InetSocketAddress peer = (InetSocketAddress) ctx.channel().remoteAddress();
        UdpAssociation.open(context, upstream, local.getAddress(), peer.getAddress(), expected.port())
                .onComplete(ar -> ctx.executor().execute(() -> {
                    if (ar.failed()) {
                        fail(ctx, Socks5Replies.GENERAL_FAILURE);
                        return;
                    }
                    UdpAssociation association = ar.result();
                    if (!ctx.channel().isActive()) {
                        association.close();
                        return;
                    }
                    ctx.channel().closeFuture().addListener(f -> association.close());
                    state = State.DONE;
                    reply(ctx, Socks5Replies.SUCCEEDED, Socks5Address.of(association.localAddress()));
                }));
    }

    private void reply(ChannelHandlerContext ctx, int code, Socks5Address bound) {
        ByteBuf out = ctx.alloc().buffer(22);
        out.writeByte(VERSION).writeByte(code).writeByte(0);
        bound.write(out);
        ctx.writeAndFlush(out);
    }

    /** A reply with {@code code} (none when null: no SOCKS5 to answer in), then the connection is closed (§6). */
    private void fail(ChannelHandlerContext ctx, Integer code) {
        state = State.DONE;
        if (code == null || !ctx.channel().isActive()) {
            ctx.close();
            return;
        }
        ByteBuf out = ctx.alloc().buffer(10);
        out.writeByte(VERSION).writeByte(code).writeByte(0);
        new Socks5Address(Socks5Address.IPV4, "0.0.0.0", 0).write(out);
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.DEBUG, "SOCKS5 connection error: {0}", cause.toString());
        ctx.close();
    }
}
