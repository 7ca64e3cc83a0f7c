package net.doublehop.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The destination of the workloads ({@code loadgen serve}). Each TCP connection starts with one command line:
 * <ul>
 *   <li>{@code SOURCE <bytes|inf>} sends that many bytes as fast as possible, then closes;</li>
 *   <li>{@code SINK} reads and discards;</li>
 *   <li>{@code ECHO} echoes;</li>
 *   <li>{@code RR <reqsize> <respsize>} then loops: read reqsize bytes, write respsize bytes.</li>
 * </ul>
 * Payload is written as retained duplicates/slices of one pre-filled direct buffer: no per-write allocation, no
 * copy in user space.
 *
 * <p>On UDP (by default the same address and port number as TCP) it echoes every datagram to its sender, for the
 * udp workload. On epoll with several threads, one socket per thread shares the port (SO_REUSEPORT), so the kernel
 * spreads the flows over the threads.
 */
public final class SourceServer implements AutoCloseable {

    static final int CHUNK = 256 * 1024;
    private static final int MAX_LINE = 128;

    /** Never released: every write is a retained view of it. */
    private static final ByteBuf PAYLOAD = filled();

    private final EventLoopGroup group;
    private final Channel server;
    /** The UDP echo sockets (all on one port); empty without UDP. */
    private final List<Channel> udp;

    private SourceServer(EventLoopGroup group, Channel server, List<Channel> udp) {
        this.group = group;
        this.server = server;
        this.udp = udp;
    }

    private static ByteBuf filled() {
        ByteBuf b = Unpooled.directBuffer(CHUNK, CHUNK);
        for (int i = 0; i < CHUNK; i++) {
            b.writeByte('a' + i % 26);
        }
        return b;
    }

    /** Payload of n bytes (n at most {@link #CHUNK}) sharing the pre-filled buffer. */
    static ByteBuf payload(int n) {
        return n == CHUNK ? PAYLOAD.retainedDuplicate() : PAYLOAD.retainedSlice(0, n);
    }

    /** TCP on host:port and the UDP echo on the same host and port number. */
    public static SourceServer start(String host, int port, int threads) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return start(host, port, threads, true, null);
            } catch (UdpBindException e) {
                // An ephemeral TCP port whose number is taken on UDP: take another one.
                if (port != 0 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /**
     * TCP on host:port; with udp, the UDP echo on udpListen, or (null) on the same host and the TCP port's number.
     */
    public static SourceServer start(String host, int port, int threads, boolean udp, HostPort udpListen)
            throws InterruptedException {
        EventLoopGroup group = Transport.group(threads, "loadgen-serve");
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(Transport.server())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(CHUNK * 2, CHUNK * 4))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new CommandHandler());
                        }
                    });
            Channel ch = b.bind(new InetSocketAddress(host, port)).sync().channel();
            List<Channel> udpChannels = new ArrayList<>();
            if (udp) {
                InetSocketAddress at = udpListen == null
                        ? new InetSocketAddress(host, ((InetSocketAddress) ch.localAddress()).getPort())
                        : new InetSocketAddress(udpListen.host(), udpListen.port());
                try {
                    bindUdp(group, at, threads, udpChannels);
                } catch (RuntimeException e) {
                    ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                    udpChannels.forEach(Channel::close);
                    throw new UdpBindException("cannot listen on UDP " + HostPort.format(at.getHostString(), at.getPort())
                            + " (" + e.getMessage() + "); choose another with --udp-listen, or --no-udp", e);
                }
            }
            return new SourceServer(group, ch, udpChannels);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The UDP echo's port, or -1 without UDP. */
    public int udpPort() {
        return udp.isEmpty() ? -1 : ((InetSocketAddress) udp.get(0).localAddress()).getPort();
    }

    /** A UDP socket could not be bound. */
    static final class UdpBindException extends RuntimeException {
        UdpBindException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One socket, or on epoll one per thread sharing the port with SO_REUSEPORT. */
    private static void bindUdp(EventLoopGroup group, InetSocketAddress at, int threads, List<Channel> out)
            throws InterruptedException {
        int sockets = Transport.EPOLL ? threads : 1;
        InetSocketAddress addr = at;
        for (int i = 0; i < sockets; i++) {
            Bootstrap b = new Bootstrap()
                    .group(group)
                    .channel(Transport.datagram())
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                    .handler(UdpEcho.INSTANCE);
            if (Transport.EPOLL) {
                b.option(EpollChannelOption.SO_REUSEPORT, true);
            }
            Channel c = b.bind(addr).sync().channel();
            out.add(c);
            addr = (InetSocketAddress) c.localAddress(); // the port chosen for port 0, for the next sockets
        }
    }

    /** Echoes each datagram to its sender (the received buffer goes back out, no copy). */
    @ChannelHandler.Sharable
    static final class UdpEcho extends ChannelInboundHandlerAdapter {
        static final UdpEcho INSTANCE = new UdpEcho();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DatagramPacket p) {
                ctx.write(new DatagramPacket(p.content(), p.sender()), ctx.voidPromise());
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // e.g. ICMP port unreachable from a sender that went away: nothing to do
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Blocks until the listening socket closes. */
    public void awaitClose() throws InterruptedException {
        server.closeFuture().sync();
    }

    @Override
    public void close() {
        udp.forEach(c -> c.close().awaitUninterruptibly(5, TimeUnit.SECONDS));
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** {@code loadgen serve [--listen HOST:PORT] [--udp-listen HOST:PORT | --no-udp] [--threads N]}. */
    static int serve(String[] args) throws Exception {
        HostPort listen = new HostPort("127.0.0.1", 9000);
        HostPort udpListen = null;
        boolean udp = true;
        int threads = Runtime.getRuntime().availableProcessors();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println("""
                        usage: loadgen serve [--listen HOST:PORT] [--udp-listen HOST:PORT | --no-udp] [--threads N]
                        The destination the workloads talk to (default --listen 127.0.0.1:9000, --threads = CPUs).
                        Each TCP connection sends one command line first:
                          SOURCE <bytes|inf>\\n    the server sends that many bytes as fast as it can, then closes
                          SINK\\n                  the server reads and discards
                          ECHO\\n                  the server echoes
                          RR <req> <resp>\\n       then loop: the server reads <req> bytes, writes <resp> bytes
                        On UDP it echoes every datagram to its sender (the udp workload), by default on the same
                        address and port number as TCP; --udp-listen HOST:PORT puts it elsewhere, --no-udp turns it
                        off.
                        Try: printf 'SOURCE 10\\n' | nc 127.0.0.1 9000;  echo hi | nc -u -w1 127.0.0.1 9000""");
                return 0;
            }
            if (a.equals("--no-udp")) {
                udp = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new UsageException(a + " needs a value");
            }
            switch (a) {
                case "--listen" -> listen = HostPort.parse(a, args[++i]);
                case "--udp-listen" -> udpListen = HostPort.parse(a, args[++i]);
                case "--threads" -> threads = (int) Options.positive(a, args[++i], 1024);
                default -> throw new UsageException("serve: unknown option " + a);
            }
        }
        if (!udp && udpListen != null) {
            throw new UsageException("--udp-listen and --no-udp exclude each other");
        }
        SourceServer s = udp && udpListen == null ? start(listen.host(), listen.port(), threads)
                : start(listen.host(), listen.port(), threads, udp, udpListen);
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "loadgen-serve-stop"));
        System.out.println("loadgen serve: listening on " + HostPort.format(listen.host(), s.port())
                + (s.udpPort() < 0 ? "" : ", UDP echo on " + HostPort.format(udpListen == null ? listen.host()
                        : udpListen.host(), s.udpPort()))
                + " [" + Transport.name() + ", " + threads + " threads]");
        System.out.flush();
        s.awaitClose();
        return 0;
    }

    private enum Mode { COMMAND, SOURCE, SINK, ECHO, RR }

    /** One connection: reads the command line, then serves it. */
    static final class CommandHandler extends ChannelInboundHandlerAdapter {
        private Mode mode = Mode.COMMAND;
        private final StringBuilder line = new StringBuilder();
        private long remaining;
        private boolean infinite;
        private int reqSize;
        private int respSize;
        private long pendingRequestBytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            if (mode == Mode.COMMAND) {
                int nl = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) '\n');
                int end = nl < 0 ? buf.writerIndex() : nl;
                line.append(buf.toString(buf.readerIndex(), end - buf.readerIndex(), StandardCharsets.US_ASCII));
                if (line.length() > MAX_LINE) {
                    buf.release();
                    fail(ctx, "command line too long");
                    return;
                }
                if (nl < 0) {
                    buf.release();
                    return;
                }
                buf.readerIndex(nl + 1);
                if (!command(ctx, line.toString().trim())) {
                    buf.release();
                    return;
                }
            }
            serve(ctx, buf);
        }

        private void serve(ChannelHandlerContext ctx, ByteBuf buf) {
            switch (mode) {
                case ECHO -> {
                    if (buf.isReadable()) {
                        ctx.write(buf, ctx.voidPromise());
                        if (!ctx.channel().isWritable()) {
                            ctx.flush();
                            ctx.channel().config().setAutoRead(false);
                        }
                    } else {
                        buf.release();
                    }
                }
                case RR -> {
                    pendingRequestBytes += buf.readableBytes();
                    buf.release();
                    while (pendingRequestBytes >= reqSize) {
                        pendingRequestBytes -= reqSize;
                        writePayload(ctx, respSize);
                    }
                }
                default -> buf.release(); // SINK; SOURCE ignores what the client sends
            }
        }

        /** Parses the command; false if the connection is being closed. */
        private boolean command(ChannelHandlerContext ctx, String cmd) {
            String[] w = cmd.split("\\s+");
            try {
                switch (w[0].toUpperCase(Locale.ROOT)) {
                    case "SOURCE" -> {
                        if (w.length != 2) {
                            throw new IllegalArgumentException();
                        }
                        infinite = w[1].equalsIgnoreCase("inf");
                        remaining = infinite ? Long.MAX_VALUE : Long.parseLong(w[1]);
                        if (remaining < 0) {
                            throw new IllegalArgumentException();
                        }
                        mode = Mode.SOURCE;
                        pump(ctx);
                    }
                    case "SINK" -> mode = Mode.SINK;
                    case "ECHO" -> mode = Mode.ECHO;
                    case "RR" -> {
                        if (w.length != 3) {
                            throw new IllegalArgumentException();
                        }
                        reqSize = Integer.parseInt(w[1]);
                        respSize = Integer.parseInt(w[2]);
                        if (reqSize < 1 || respSize < 0) {
                            throw new IllegalArgumentException();
                        }
                        mode = Mode.RR;
                    }
                    default -> throw new IllegalArgumentException();
                }
                return true;
            } catch (IllegalArgumentException e) {
                fail(ctx, "unknown command '" + cmd + "' (SOURCE <bytes|inf> | SINK | ECHO | RR <req> <resp>)");
                return false;
            }
        }

        private void fail(ChannelHandlerContext ctx, String why) {
            mode = Mode.SINK;
            ctx.writeAndFlush(Unpooled.copiedBuffer("ERR " + why + "\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        private void writePayload(ChannelHandlerContext ctx, long n) {
            while (n > 0) {
                int c = (int) Math.min(n, CHUNK);
                ctx.write(payload(c), ctx.voidPromise());
                n -= c;
            }
        }

        /** SOURCE: writes while the channel is writable; resumed by channelWritabilityChanged. */
        private void pump(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            while (ch.isWritable() && remaining > 0) {
                int c = (int) Math.min(remaining, CHUNK);
                if (!infinite) {
                    remaining -= c;
                }
                ctx.write(payload(c), ctx.voidPromise());
            }
            if (remaining == 0) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                remaining = -1;
            } else {
                ctx.flush();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (mode == Mode.ECHO || mode == Mode.RR) {
                ctx.flush();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                if (mode == Mode.SOURCE && remaining > 0) {
                    pump(ctx);
                } else if (mode == Mode.ECHO) {
                    ctx.channel().config().setAutoRead(true);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a client going away mid-stream is normal under load
        }
    }
}
