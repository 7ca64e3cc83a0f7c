package net.doublehop.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.Headers;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The ways to open a tunnel: straight to the target (TCP, or a UDP socket), HTTP/1.1 CONNECT or CONNECT-UDP,
 * HTTP/2 CONNECT or extended CONNECT (CONNECT-UDP) streams; HTTP/3 is {@link H3Connector}.
 */
final class Connectors {

    /** HTTP/2 receive window per stream; the connection window is this times the number of tunnels. */
    static final int H2_STREAM_WINDOW = 1 << 20;

    private Connectors() { }

    /** quic: the QUIC TLS context for --proxy-version h3 (null otherwise). */
    static Connector create(Options o, EventLoopGroup group, SslContext ssl, QuicSslContext quic) {
        if (o.workload == Options.Workload.UDP && o.direct) {
            return new UdpDirect(o, group);
        }
        if (o.direct) {
            return new Direct(o, group, ssl);
        }
        return switch (o.proxyVersion) {
            case "h2" -> new H2(o, group, ssl, newConnectionPerTunnel(o));
            case "h3" -> new H3Connector(o, group, quic);
            default -> new H1(o, group, ssl);
        };
    }

    /** setup and firstbyte time a fresh connection to the proxy for each tunnel, on every protocol. */
    static boolean newConnectionPerTunnel(Options o) {
        return o.workload == Options.Workload.SETUP || o.workload == Options.Workload.FIRSTBYTE;
    }

    /** What every connector shares: the bootstrap template, deadlines, and the channels to close at the end. */
    abstract static class Base implements Connector {
        final Options o;
        final EventLoopGroup group;
        final Bootstrap base;
        final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        final long timeoutMillis;
        /** The TLS handshakes of the TCP connections. */
        final TlsCounts tlsCounts = new TlsCounts();

        Base(Options o, EventLoopGroup group) {
            this.o = o;
            this.group = group;
            this.timeoutMillis = o.timeout.toMillis();
            this.base = new Bootstrap()
                    .channel(Transport.socket())
                    .option(ChannelOption.TCP_NODELAY, o.tcpNoDelay)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 64 * 1024))
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024));
        }

        /** Fails the promise and closes the channel if it is not done within --timeout. */
        void deadline(EventLoop loop, Promise<?> p, Channel ch, String what) {
            var task = loop.schedule(() -> {
                if (p.tryFailure(new TimeoutException("timed out after " + o.timeout.toMillis() + " ms " + what))) {
                    ch.close();
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            p.addListener(f -> task.cancel(false));
        }

        /** Closes the attempt's channel at the end of the run; its failure and --timeout fail the promise. */
        void watch(ChannelFuture cf, EventLoop loop, Promise<?> p, String what) {
            channels.add(cf.channel());
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    p.tryFailure(f.cause());
                }
            });
            deadline(loop, p, cf.channel(), what);
        }

        /** The connected channel is the tunnel (no CONNECT: its "answer" is the connect). */
        Future<Tunnel> direct(Bootstrap b, EventLoop loop, SocketAddress target) {
            long start = System.nanoTime();
            Promise<Tunnel> p = loop.newPromise();
            var cf = b.connect(target);
            channels.add(cf.channel());
            cf.addListener(f -> {
                if (f.isSuccess()) {
                    long now = System.nanoTime();
                    p.trySuccess(new Tunnel(cf.channel(), start, now, now));
                } else {
                    p.tryFailure(f.cause());
                }
            });
            return p;
        }

        InetSocketAddress proxyAddress() {
            return new InetSocketAddress(o.proxyHost, o.proxyPort);
        }

        /** The TLS handlers, first in the pipeline, behind the connection's timer (started at startNanos). */
        void addTls(SslContext ssl, Channel ch, long startNanos) {
            addTls(ssl, ch, startNanos, o.proxyHost, o.proxyPort);
        }

        /** The same for a TLS peer at host:port (its name verified, its sessions cached under it). */
        void addTls(SslContext ssl, Channel ch, long startNanos, String host, int port) {
            ConnectionTimes times = ConnectionTimes.watch(ch, startNanos);
            if (Tls.isJdk(ssl)) {
                ch.pipeline().addLast("heap", HeapInbound.INSTANCE);
                if (!o.tlsResume) {
                    Tls.forgetSessions(ssl);
                }
            }
            SslHandler h = ssl.newHandler(ch.alloc(), host, port);
            h.setHandshakeTimeoutMillis(timeoutMillis);
            ch.pipeline().addLast("ssl", h);
            ConnectionTimes.watchHandshake(ch, times, tlsCounts);
        }

        String basicAuth() {
            return "Basic " + Base64.getEncoder().encodeToString(o.proxyUser.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * CONNECT-UDP: the flow's handler behind a capsule codec (DATAGRAM capsules in and out as UDP payloads),
         * and, when {@code port} is given, the handler it makes for the stream between the two.
         */
        ChannelHandler behindCapsules(ChannelHandler flow, Function<Channel, ChannelHandler> port) {
            return new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("udp-capsules", new CapsuleCodec());
                    if (port != null) {
                        ch.pipeline().addLast("udp-port", port.apply(ch));
                    }
                    ch.pipeline().addLast("udp-flow", flow);
                }
            };
        }

        /** Proxy-Authorization (--proxy-user) and the --proxy-header lines, lower-cased as HTTP/2 and HTTP/3 want. */
        <H extends Headers<CharSequence, CharSequence, H>> void addProxyHeaders(H headers) {
            if (o.proxyUser != null) {
                headers.add("proxy-authorization", basicAuth());
            }
            for (String[] h : o.proxyHeaders) {
                headers.add(h[0].toLowerCase(Locale.ROOT), h[1]);
            }
        }

        @Override
        public boolean proxied() {
            return true;
        }

        @Override
        public void measureFromNow() {
            tlsCounts.reset();
        }

        @Override
        public void results(java.util.Map<String, Object> totals, java.util.List<String> summary) {
            tlsCounts.results(o, totals, summary);
        }

        @Override
        public void close() {
            channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** --direct: a TCP connection to the target is the tunnel; --direct-tls: a TLS connection to it. */
    static final class Direct extends Base {
        private final InetSocketAddress target;
        private final SslContext ssl;

        Direct(Options o, EventLoopGroup group, SslContext ssl) {
            super(o, group);
            this.ssl = ssl;
            target = new InetSocketAddress(o.targetHost, o.targetPort);
        }

        @Override
        public Future<Tunnel> open(ChannelHandler handler) {
            return ssl == null ? openPlain(handler) : openTls(handler);
        }

        private Future<Tunnel> openPlain(ChannelHandler handler) {
            EventLoop loop = group.next();
            return direct(base.clone(loop).handler(handler), loop, target);
        }

        /** Connect, TLS handshake (the target's name verified as --proxy-cacert/--proxy-insecure say), then bytes. */
        private Future<Tunnel> openTls(ChannelHandler handler) {
            long start = System.nanoTime();
            EventLoop loop = group.next();
            Promise<Tunnel> p = loop.newPromise();
            var cf = base.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    addTls(ssl, ch, start, o.targetHost, o.targetPort);
                    ch.pipeline().addLast("tlsready", new TlsReady(p, handler, start));
                }
            }).connect(target);
            watch(cf, loop, p, "connecting and TLS handshake with the target");
            return p;
        }

        @Override
        public boolean proxied() {
            return false;
        }
    }

    /** --direct-tls: the finished handshake opens the tunnel (there is no CONNECT: its "answer" is the handshake). */
    static final class TlsReady extends AnswerHandler {
        TlsReady(Promise<Tunnel> promise, ChannelHandler tunnelHandler, long start) {
            super(promise, tunnelHandler, start, "the target closed the connection during the TLS handshake");
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (e.isSuccess()) {
                    sent = System.nanoTime();
                    open(ctx, null);
                } else {
                    fail(ctx, e.cause());
                }
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * Copies received bytes from the socket's direct buffers into heap buffers before the JDK's TLS engine sees
     * them: JDK 17 decrypts AES-GCM from a direct ByteBuffer without its GHASH intrinsic (GHASH.processBlocksDirect),
     * about ten times slower; one memory copy is nothing next to that.
     */
    @ChannelHandler.Sharable
    static final class HeapInbound extends ChannelInboundHandlerAdapter {
        static final HeapInbound INSTANCE = new HeapInbound();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b && b.isDirect()) {
                ByteBuf h = ctx.alloc().heapBuffer(b.readableBytes());
                h.writeBytes(b);
                b.release();
                ctx.fireChannelRead(h);
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }

    /**
     * --direct udp: a UDP socket connected to the target is the flow; its handler sees each datagram's payload as
     * a ByteBuf and writes payloads as ByteBufs, as through CONNECT-UDP.
     */
    static final class UdpDirect extends Base {
        private final InetSocketAddress target;
        private final Bootstrap udp;

        UdpDirect(Options o, EventLoopGroup group) {
            super(o, group);
            target = new InetSocketAddress(o.targetHost, o.targetPort);
            udp = new Bootstrap()
                    .channel(Transport.datagram())
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(2048, o.size + 64)));
        }

        @Override
        public Future<Tunnel> open(ChannelHandler handler) {
            EventLoop loop = group.next();
            return direct(udp.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("udp-unwrap", new CapsuleCodec.Unwrap());
                    ch.pipeline().addLast("udp-flow", handler);
                }
            }), loop, target);
        }

        @Override
        public boolean proxied() {
            return false;
        }
    }

    /**
     * HTTP/1.1: one connection (TLS or plain) per tunnel, CONNECT, then raw bytes. With --method CONNECT-UDP:
     * {@code GET <template path>} with {@code Upgrade: connect-udp} (RFC 9298 §3), 101, then DATAGRAM capsules
     * through a {@link CapsuleCodec}.
     */
    static final class H1 extends Base {
        private final SslContext ssl;
        private final byte[] request;
        private final boolean udp;

        H1(Options o, EventLoopGroup group, SslContext ssl) {
            super(o, group);
            this.ssl = ssl;
            this.udp = o.method.equals("CONNECT-UDP");
            StringBuilder r = new StringBuilder();
            if (udp) {
                r.append("GET ").append(o.udpPath).append(" HTTP/1.1\r\n")
                        .append("Host: ").append(o.udpAuthority).append("\r\n")
                        .append("Connection: Upgrade\r\n")
                        .append("Upgrade: connect-udp\r\n")
                        .append("Capsule-Protocol: ?1\r\n");
            } else {
                String authority = HostPort.format(o.targetHost, o.targetPort);
                r.append("CONNECT ").append(authority).append(" HTTP/1.1\r\n")
                        .append("Host: ").append(authority).append("\r\n");
            }
            if (o.proxyUser != null) {
                r.append("Proxy-Authorization: ").append(basicAuth()).append("\r\n");
            }
            for (String[] h : o.proxyHeaders) {
                r.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            request = r.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public Future<Tunnel> open(ChannelHandler handler) {
            long start = System.nanoTime();
            EventLoop loop = group.next();
            Promise<Tunnel> p = loop.newPromise();
            ChannelHandler tunnel = udp ? behindCapsules(handler, null) : handler;
            var cf = base.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (ssl != null) {
                        addTls(ssl, ch, start);
                    } else {
                        ConnectionTimes.watch(ch, start);
                    }
                    ch.pipeline().addLast("connect", new H1ConnectHandler(p, tunnel, request, ssl != null, start, udp));
                }
            }).connect(proxyAddress());
            watch(cf, loop, p, udp ? "opening the flow (connect, TLS, CONNECT-UDP answer)"
                    : "opening the tunnel (connect, TLS, CONNECT answer)");
            return p;
        }
    }

    /**
     * Sends the CONNECT request once the connection (and TLS) is up; parses the answer head: a 2xx opens the
     * tunnel, or for CONNECT-UDP a 101 (the upgrade to the capsule protocol).
     */
    static final class H1ConnectHandler extends AnswerHandler {
        private static final int MAX_HEAD = 16 * 1024;
        private final byte[] request;
        private final boolean tls;
        private final boolean upgrade;
        private ByteBuf head;

        H1ConnectHandler(Promise<Tunnel> promise, ChannelHandler tunnelHandler, byte[] request, boolean tls, long start,
                         boolean upgrade) {
            super(promise, tunnelHandler, start, "the proxy closed the connection before answering "
                    + (upgrade ? "CONNECT-UDP" : "CONNECT"));
            this.request = request;
            this.tls = tls;
            this.upgrade = upgrade;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (!tls) {
                send(ctx);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (e.isSuccess()) {
                    send(ctx);
                } else {
                    fail(ctx, e.cause());
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void send(ChannelHandlerContext ctx) {
            sent = System.nanoTime();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(request)).addListener(f -> {
                if (!f.isSuccess()) {
                    fail(ctx, f.cause());
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (promise.isDone()) {
                in.release();
                return;
            }
            if (head == null) {
                head = ctx.alloc().heapBuffer(512);
            }
            head.writeBytes(in);
            in.release();
            int end = endOfHead(head);
            if (end < 0) {
                if (head.readableBytes() > MAX_HEAD) {
                    fail(ctx, new IOException("the proxy's answer head is longer than " + MAX_HEAD + " bytes"));
                }
                return;
            }
            String text = head.toString(head.readerIndex(), end - head.readerIndex(), StandardCharsets.ISO_8859_1);
            int eol = text.indexOf('\r');
            String statusLine = eol < 0 ? text : text.substring(0, eol);
            int status = parseStatus(statusLine);
            if (upgrade ? status != 101 : status < 200 || status > 299) {
                fail(ctx, new IOException("the proxy answered " + (upgrade ? "CONNECT-UDP" : "CONNECT") + " with '"
                        + statusLine + "'"));
                return;
            }
            head.readerIndex(end + 4);
            long answered = System.nanoTime();
            ChannelPipeline p = ctx.pipeline();
            p.addAfter(ctx.name(), "tunnel", tunnelHandler);
            promise.trySuccess(new Tunnel(ctx.channel(), start, sent, answered));
            ByteBuf rest = head;
            head = null;
            if (rest.isReadable()) {
                ctx.fireChannelRead(rest);
            } else {
                rest.release();
            }
            p.remove(this);
        }

        private static int endOfHead(ByteBuf b) {
            for (int i = b.readerIndex(); i + 3 < b.writerIndex(); i++) {
                if (b.getByte(i) == '\r' && b.getByte(i + 1) == '\n' && b.getByte(i + 2) == '\r' && b.getByte(i + 3) == '\n') {
                    return i;
                }
            }
            return -1;
        }

        private static int parseStatus(String statusLine) {
            String[] w = statusLine.split(" ");
            if (w.length < 2 || !w[0].startsWith("HTTP/1.")) {
                return -1;
            }
            try {
                return Integer.parseInt(w[1]);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (head != null) {
                head.release();
                head = null;
            }
        }
    }

    /**
     * HTTP/2: CONNECT streams (RFC 9113 §8.5: :method CONNECT, :authority host:port, no :scheme nor :path),
     * multiplexed on --h2-connections connections; for the setup workload, one new connection per tunnel. With
     * --method CONNECT-UDP: extended CONNECT (RFC 8441 §4, RFC 9298 §3.3: :protocol connect-udp, :scheme, :authority
     * the proxy, :path from the URI template, capsule-protocol: ?1), sent only once the proxy's SETTINGS carried
     * SETTINGS_ENABLE_CONNECT_PROTOCOL = 1; then DATAGRAM capsules on the stream through a {@link CapsuleCodec}.
     */
    static final class H2 extends Base {
        private final SslContext ssl;
        private final boolean connectionPerTunnel;
        private final Http2Headers headers;
        private final Parent[] parents;
        private final AtomicInteger next = new AtomicInteger();
        private final int connectionWindow;
        private final boolean udp;

        H2(Options o, EventLoopGroup group, SslContext ssl, boolean connectionPerTunnel) {
            super(o, group);
            this.ssl = ssl;
            this.connectionPerTunnel = connectionPerTunnel;
            this.parents = new Parent[o.h2Connections];
            int perConnection = connectionPerTunnel ? 1 : (o.tunnels + o.h2Connections - 1) / o.h2Connections;
            this.connectionWindow = (int) Math.min(Integer.MAX_VALUE, (long) H2_STREAM_WINDOW * Math.max(1, perConnection));
            udp = o.method.equals("CONNECT-UDP");
            if (udp) {
                headers = new DefaultHttp2Headers()
                        .method("CONNECT")
                        .scheme(ssl != null ? "https" : "http")
                        .authority(o.udpAuthority)
                        .path(o.udpPath);
                headers.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
                headers.add("capsule-protocol", "?1");
            } else {
                headers = new DefaultHttp2Headers()
                        .method("CONNECT")
                        .authority(HostPort.format(o.targetHost, o.targetPort));
            }
            addProxyHeaders(headers);
        }

        /** One HTTP/2 connection: ready once set up (for extended CONNECT: once the proxy's SETTINGS arrived). */
        private record Parent(EventLoop loop, Promise<Channel> ready) { }

        private synchronized Parent parent() {
            int i = Math.floorMod(next.getAndIncrement(), parents.length);
            Parent p = parents[i];
            if (p == null || (p.ready.isDone() && (!p.ready.isSuccess() || !p.ready.getNow().isActive()))) {
                p = connect();
                parents[i] = p;
            }
            return p;
        }

        private Parent connect() {
            long start = System.nanoTime();
            EventLoop loop = group.next();
            Promise<Channel> ready = loop.newPromise();
            var cf = base.clone(loop).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (ssl != null) {
                        addTls(ssl, ch, start);
                    } else {
                        ConnectionTimes.watch(ch, start);
                    }
                    ch.pipeline().addLast("h2setup", new H2Setup(ready, ssl != null, connectionWindow, udp));
                }
            }).connect(proxyAddress());
            watch(cf, loop, ready, "opening the HTTP/2 connection (connect, TLS, SETTINGS)");
            return new Parent(loop, ready);
        }

        @Override
        public Future<Tunnel> open(ChannelHandler handler) {
            long start = System.nanoTime();
            Parent parent = connectionPerTunnel ? connect() : parent();
            Promise<Tunnel> p = parent.loop.newPromise();
            parent.ready.addListener(f -> {
                if (!f.isSuccess()) {
                    p.tryFailure(f.cause());
                    return;
                }
                Channel conn = parent.ready.getNow();
                new Http2StreamChannelBootstrap(conn).open().addListener(sf -> {
                    if (!sf.isSuccess()) {
                        p.tryFailure(sf.cause());
                        if (connectionPerTunnel) {
                            conn.close();
                        }
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) sf.getNow();
                    if (connectionPerTunnel) {
                        stream.closeFuture().addListener(c -> conn.close());
                    }
                    ChannelHandler tunnel = udp ? behindCapsules(handler, null) : handler;
                    H2ConnectHandler connect = new H2ConnectHandler(p, tunnel, start, udp);
                    connect.sent = System.nanoTime();
                    stream.pipeline().addLast("connect", connect);
                    stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).addListener(wf -> {
                        if (!wf.isSuccess() && p.tryFailure(wf.cause())) {
                            stream.close();
                        }
                    });
                    deadline(parent.loop, p, stream, udp ? "waiting for the CONNECT-UDP answer"
                            : "waiting for the CONNECT answer");
                });
            });
            return p;
        }
    }

    /**
     * After TLS (ALPN h2) or at once (h2c): installs the frame codec and multiplexer. Ready at once for classic
     * CONNECT; for extended CONNECT only once the proxy's SETTINGS allowed it.
     */
    static final class H2Setup extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready;
        private final boolean tls;
        private final int connectionWindow;
        private final boolean extendedConnect;

        /** extendedConnect: the connection is ready only if the proxy's SETTINGS enable extended CONNECT. */
        H2Setup(Promise<Channel> ready, boolean tls, int connectionWindow, boolean extendedConnect) {
            this.ready = ready;
            this.tls = tls;
            this.connectionWindow = connectionWindow;
            this.extendedConnect = extendedConnect;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.fireChannelActive();
            if (!tls) {
                install(ctx);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (!e.isSuccess()) {
                    fail(ctx, e.cause());
                } else {
                    String alpn = ctx.pipeline().get(SslHandler.class).applicationProtocol();
                    if (!"h2".equals(alpn)) {
                        fail(ctx, new IOException("the proxy did not agree to HTTP/2 in ALPN (it chose "
                                + (alpn == null ? "nothing" : alpn) + ")"));
                    } else {
                        install(ctx);
                    }
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void install(ChannelHandlerContext ctx) {
            Http2Settings settings = Http2Settings.defaultSettings()
                    .initialWindowSize(H2_STREAM_WINDOW)
                    .pushEnabled(false);
            ChannelPipeline p = ctx.pipeline();
            p.addAfter(ctx.name(), "h2codec", Http2FrameCodecBuilder.forClient().initialSettings(settings).build());
            p.addAfter("h2codec", "h2mux", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
            p.addAfter("h2mux", "h2conn", new H2ConnectionHandler(ready, extendedConnect));
            if (connectionWindow > 65_535) {
                ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindow - 65_535));
            }
            p.remove(this);
            if (!extendedConnect) {
                // A classic CONNECT may follow our preface at once (RFC 9113 §3.4), as browsers and curl send
                // theirs: waiting for the proxy's SETTINGS would add a round trip to every new connection.
                ready.trySuccess(ctx.channel());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(ctx, new IOException("the proxy closed the connection before HTTP/2 was set up"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            if (ready.tryFailure(cause)) {
                ctx.close();
            }
        }
    }

    /**
     * Connection-level frames: for extended CONNECT the proxy's first SETTINGS make the connection ready, only if
     * they carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 8441 §3 forbids :protocol otherwise); a GOAWAY before
     * then fails it.
     */
    static final class H2ConnectionHandler extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready;
        private final boolean extendedConnect;

        H2ConnectionHandler(Promise<Channel> ready, boolean extendedConnect) {
            this.ready = ready;
            this.extendedConnect = extendedConnect;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame sf && !ready.isDone()) {
                if (!extendedConnect || Boolean.TRUE.equals(sf.settings().connectProtocolEnabled())) {
                    ready.trySuccess(ctx.channel());
                } else if (ready.tryFailure(new IOException("the proxy's HTTP/2 SETTINGS do not enable extended "
                        + "CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL): it does not take CONNECT-UDP over h2"))) {
                    ctx.close();
                }
            } else if (msg instanceof Http2GoAwayFrame g && !ready.isDone()) {
                ready.tryFailure(new IOException("the proxy sent GOAWAY (error " + g.errorCode() + ")"));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ready.tryFailure(new IOException("the proxy closed the connection before its HTTP/2 SETTINGS"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ready.tryFailure(cause)) {
                ctx.close();
            }
        }
    }

    /**
     * Waits for the proxy's answer to a CONNECT (or CONNECT-UDP, or for the TLS handshake of --direct-tls), then
     * hands the channel to the tunnel's handler: what the answer handlers of every connector share. The first
     * failure fails the promise and closes the channel; what comes after it is ignored.
     */
    abstract static class AnswerHandler extends ChannelInboundHandlerAdapter {
        final Promise<Tunnel> promise;
        final ChannelHandler tunnelHandler;
        final long start;
        private final String closedBeforeAnswer;
        /** When the request left (System.nanoTime()). */
        long sent;

        AnswerHandler(Promise<Tunnel> promise, ChannelHandler tunnelHandler, long start, String closedBeforeAnswer) {
            this.promise = promise;
            this.tunnelHandler = tunnelHandler;
            this.start = start;
            this.closedBeforeAnswer = closedBeforeAnswer;
        }

        /**
         * The answer opened the tunnel: {@code bytes} (frames to ByteBufs, when the channel carries frames) and the
         * tunnel's handler take this handler's place.
         */
        void open(ChannelHandlerContext ctx, ChannelHandler bytes) {
            long answered = System.nanoTime();
            ChannelPipeline p = ctx.pipeline();
            String before = ctx.name();
            if (bytes != null) {
                p.addAfter(before, "bytes", bytes);
                before = "bytes";
            }
            p.addAfter(before, "tunnel", tunnelHandler);
            p.remove(this);
            promise.trySuccess(new Tunnel(ctx.channel(), start, sent, answered));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(ctx, new IOException(closedBeforeAnswer));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
        }

        void fail(ChannelHandlerContext ctx, Throwable cause) {
            if (promise.tryFailure(cause)) {
                ctx.close();
            }
        }
    }

    /** The answer on an HTTP/2 or HTTP/3 stream: its {@code :status}. */
    abstract static class StreamAnswerHandler extends AnswerHandler {
        /** CONNECT or CONNECT-UDP, for the errors. */
        final String what;

        StreamAnswerHandler(Promise<Tunnel> promise, ChannelHandler tunnelHandler, long start, boolean udp) {
            super(promise, tunnelHandler, start, "the " + (udp ? "CONNECT-UDP" : "CONNECT")
                    + " stream closed before its answer");
            this.what = udp ? "CONNECT-UDP" : "CONNECT";
        }

        static boolean is2xx(CharSequence status) {
            return status != null && status.length() == 3 && status.charAt(0) == '2';
        }
    }

    /** On a CONNECT stream: waits for the :status answer, then turns the stream into a byte pipe. */
    static final class H2ConnectHandler extends StreamAnswerHandler {
        H2ConnectHandler(Promise<Tunnel> promise, ChannelHandler tunnelHandler, long start, boolean udp) {
            super(promise, tunnelHandler, start, udp);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    CharSequence status = h.headers().status();
                    if (!is2xx(status) || h.isEndStream()) {
                        if (h.isEndStream() && promise.tryFailure(new IOException("the proxy answered " + what + " with "
                                + ":status " + status + " and ended the stream"))) {
                            endStream(ctx);
                        } else {
                            fail(ctx, new IOException("the proxy answered " + what + " with :status " + status));
                        }
                        return;
                    }
                    open(ctx, new H2Bytes());
                } else if (msg instanceof Http2ResetFrame r) {
                    fail(ctx, new IOException("the proxy reset the " + what + " stream (error " + r.errorCode() + ")"));
                } else if (msg instanceof Http2DataFrame) {
                    fail(ctx, new IOException("the proxy sent DATA before answering " + what));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /**
     * The proxy ended the stream: end ours too (an empty DATA frame with END_STREAM) and close, so the stream
     * closes cleanly. Closing a half-open stream would send RST_STREAM, and a server that sees many resets may take
     * them for an attack (CVE-2023-44487 mitigations) and drop the whole connection with every tunnel on it.
     */
    static void endStream(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true))
                .addListener(f -> ctx.channel().close());
    }

    /** A stream's DATA frames in and out as plain ByteBufs: reads are the subclass's, writes are framed here. */
    abstract static class FrameBytes extends ChannelDuplexHandler {
        /** One DATA frame of the protocol around {@code b}. */
        abstract Object dataFrame(ByteBuf b);

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg instanceof ByteBuf b ? dataFrame(b) : msg, promise);
        }
    }

    /** HTTP/2 DATA frames in and out as plain ByteBufs; the peer's END_STREAM or RST_STREAM ends the tunnel. */
    static final class H2Bytes extends FrameBytes {
        @Override
        Object dataFrame(ByteBuf b) {
            return new DefaultHttp2DataFrame(b);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame d) {
                boolean end = d.isEndStream();
                if (d.content().isReadable()) {
                    ctx.fireChannelRead(d.content().retain());
                }
                d.release();
                if (end) {
                    endStream(ctx);
                }
            } else {
                boolean reset = msg instanceof Http2ResetFrame;
                ReferenceCountUtil.release(msg);
                if (reset) {
                    ctx.close();
                }
            }
        }
    }
}
