package net.doublehop.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3GoAwayFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.http3.Http3SettingsFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import net.doublehop.protocol.masque.QuarterStreamId;
import net.doublehop.protocol.masque.UdpPayload;

/**
 * HTTP/3 (--proxy-version h3) on Netty's QUIC and HTTP/3 codecs: CONNECT streams (RFC 9114 §4.4: {@code :method
 * CONNECT}, {@code :authority} only) or CONNECT-UDP streams (RFC 9298 §3.4 / RFC 9220 extended CONNECT:
 * {@code :protocol connect-udp}, {@code :scheme https}, {@code :authority} the proxy, {@code :path} from the URI
 * template, {@code capsule-protocol: ?1}), multiplexed on --h3-connections QUIC connections; for the setup workload,
 * one new QUIC connection (handshake included) per tunnel, as h1 opens a new TLS connection per tunnel.
 *
 * <p>Those per-tunnel connections share one UDP socket and QUIC codec per event loop (each connection has its own
 * connection IDs, keys and handshake): each new codec builds a quiche config, and quiche's config reads and parses
 * the system's CA bundle (/etc/ssl/certs/ca-certificates.crt, ~140 certificates) every time, which the Java trust
 * manager never uses: about 40 % of the generator's CPU per setup and ~3 ms of each timed QUIC handshake
 * (docs/performance.md, "The QUIC handshake"). Long-lived connections (--h3-connections) keep a socket each.
 *
 * <p>CONNECT-UDP: with --h3-datagrams true (the default) the client's SETTINGS carry SETTINGS_H3_DATAGRAM = 1 and
 * QUIC negotiates the DATAGRAM extension; once the proxy's SETTINGS said SETTINGS_H3_DATAGRAM = 1 too, every UDP
 * payload leaves as one HTTP/3 datagram (RFC 9297 §2: quarter stream ID, context ID 0, payload) written to the QUIC
 * connection, and datagrams that come in are handed to their flow by quarter stream ID. DATAGRAM capsules on the
 * stream are accepted either way, and are what is sent when datagrams are off, not agreed, or a payload does not
 * fit one QUIC datagram.
 */
final class H3Connector extends Connectors.Base {

    /** QUIC receive window per stream; the connection's is this times the streams on it (at least 16 MiB). */
    static final long STREAM_WINDOW = 4L << 20;
    /**
     * Largest UDP payload our QUIC packets carry (quiche's default is 1200): an Ethernet path's 1500-byte MTU less
     * the IPv6 and UDP headers. It bounds what one HTTP/3 datagram holds: about 1400 bytes of UDP payload; a
     * larger --size goes as capsules. The proxy's own limit bounds what it sends back.
     */
    static final int MAX_UDP_PAYLOAD = 1452;
    /** SETTINGS_H3_DATAGRAM (RFC 9297 §2.1.1). */
    static final long SETTINGS_H3_DATAGRAM = 0x33;

    private final QuicSslContext tls;
    private final boolean udp;
    private final boolean offerDatagrams;
    private final boolean connectionPerTunnel;
    private final Http3Headers template;
    private final Conn[] conns;
    private final AtomicInteger next = new AtomicInteger();
    private final long connectionWindow;
    private final int datagramQueue;
    private final Bootstrap socket;
    /** setup / firstbyte: the UDP socket (and its QUIC codec) of each event loop, shared by its connections. */
    private final Map<EventLoop, ChannelFuture> sharedSockets = new ConcurrentHashMap<>();
    /** UDP sockets (QUIC codecs) opened over the run. */
    final LongAdder udpSockets = new LongAdder();

    /** UDP payloads each way, by carriage; datagrams the QUIC stack refused to queue (counted lost by the flow). */
    final LongAdder datagramsOut = new LongAdder();
    final LongAdder datagramsIn = new LongAdder();
    final LongAdder capsulesOut = new LongAdder();
    final LongAdder capsulesIn = new LongAdder();
    final LongAdder datagramsRefused = new LongAdder();

    H3Connector(Options o, EventLoopGroup group, QuicSslContext tls) {
        super(o, group);
        this.tls = tls;
        this.udp = o.method.equals("CONNECT-UDP");
        this.offerDatagrams = udp && o.h3Datagrams;
        this.connectionPerTunnel = Connectors.newConnectionPerTunnel(o);
        this.conns = new Conn[o.h3Connections];
        int perConnection = connectionPerTunnel ? 1 : (o.tunnels + o.h3Connections - 1) / o.h3Connections;
        this.connectionWindow = Math.min(1L << 30, Math.max(16L << 20, STREAM_WINDOW * Math.max(1, perConnection)));
        // Room for every flow's window of datagrams, twice over: a full queue drops (UDP semantics), never blocks.
        this.datagramQueue = (int) Math.min(65_536, Math.max(1024, 2L * perConnection * o.window));
        this.socket = new Bootstrap()
                .channel(Transport.datagram())
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20);
        if (udp) {
            template = new DefaultHttp3Headers()
                    .method("CONNECT")
                    .protocol("connect-udp")
                    .scheme("https")
                    .authority(o.udpAuthority)
                    .path(o.udpPath);
            template.add("capsule-protocol", "?1");
        } else {
            template = new DefaultHttp3Headers()
                    .method("CONNECT")
                    .authority(HostPort.format(o.targetHost, o.targetPort));
        }
        addProxyHeaders(template);
    }

    /** One QUIC connection and what its peer's SETTINGS allowed; all fields confined to its event loop. */
    final class Conn {
        final EventLoop loop;
        final Promise<QuicChannel> ready;
        Channel socketChannel;
        QuicChannel quic;
        boolean connected;
        boolean settingsSeen;
        boolean peerConnectProtocol;
        boolean peerDatagrams;
        boolean goingAway;
        /** Largest QUIC DATAGRAM frame payload the peer takes; 0 until (unless) the extension is negotiated. */
        int maxDatagram;
        final LongObjectHashMap<UdpPort> flows = new LongObjectHashMap<>();
        private final List<UdpPort> touched = new ArrayList<>();
        private boolean completeScheduled;

        Conn(EventLoop loop) {
            this.loop = loop;
            this.ready = loop.newPromise();
        }

        boolean usable() {
            return !ready.isDone() || (ready.isSuccess() && quic.isActive() && !goingAway);
        }

        /** Connected (and, for CONNECT-UDP, the proxy's SETTINGS allow extended CONNECT): streams may open. */
        void maybeReady() {
            if (!connected || ready.isDone()) {
                return;
            }
            if (!udp) {
                ready.trySuccess(quic);
            } else if (settingsSeen) {
                if (peerConnectProtocol) {
                    ready.trySuccess(quic);
                } else if (ready.tryFailure(new IOException("the proxy's HTTP/3 SETTINGS do not enable extended "
                        + "CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL): it does not take CONNECT-UDP over h3"))) {
                    quic.close();
                }
            }
        }

        /** An inbound HTTP/3 datagram for flow port: passed on now; its read-complete once this read batch ends. */
        void deliver(UdpPort port, ByteBuf payload) {
            port.deliver(payload);
            if (!port.touched) {
                port.touched = true;
                touched.add(port);
                if (!completeScheduled) {
                    completeScheduled = true;
                    loop.execute(this::completeReads);
                }
            }
        }

        void completeReads() {
            completeScheduled = false;
            for (int i = 0; i < touched.size(); i++) {
                UdpPort p = touched.get(i);
                p.touched = false;
                p.readComplete();
            }
            touched.clear();
        }
    }

    private synchronized Conn conn() {
        int i = Math.floorMod(next.getAndIncrement(), conns.length);
        Conn c = conns[i];
        if (c == null || !c.usable()) {
            c = connect();
            conns[i] = c;
        }
        return c;
    }

    private Conn connect() {
        long start = System.nanoTime();
        EventLoop loop = group.next();
        Conn c = new Conn(loop);
        InetSocketAddress proxy = proxyAddress();
        var codec = Http3.newQuicClientCodecBuilder()
                .sslEngineProvider(q -> tls.newEngine(q.alloc(), o.proxyHost, o.proxyPort))
                .maxIdleTimeout(5, TimeUnit.MINUTES)
                .maxSendUdpPayloadSize(MAX_UDP_PAYLOAD)
                .initialMaxData(connectionWindow)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamDataUnidirectional(64 * 1024)
                .initialMaxStreamsUnidirectional(8);
        if (offerDatagrams) {
            codec.datagram(datagramQueue, datagramQueue);
        }
        Http3Settings settings = new Http3Settings();
        if (offerDatagrams) {
            settings.enableH3Datagram(true);
        }
        String wildcard = proxy.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0";
        ChannelFuture bound;
        if (connectionPerTunnel) {
            bound = sharedSockets.computeIfAbsent(loop, l -> {
                ChannelFuture f = bindSocket(l, codec, wildcard);
                f.channel().closeFuture().addListener(x -> sharedSockets.remove(l, f));
                return f;
            });
        } else {
            bound = bindSocket(loop, codec, wildcard);
        }
        c.socketChannel = bound.channel();
        deadline(loop, c.ready, bound.channel(), "opening the QUIC connection (handshake"
                + (udp ? ", the proxy's SETTINGS)" : ")"));
        bound.addListener(b -> {
            if (!b.isSuccess()) {
                c.ready.tryFailure(b.cause());
                return;
            }
            QuicChannel.newBootstrap(bound.channel())
                    .handler(new ChannelInitializer<QuicChannel>() {
                        @Override
                        protected void initChannel(QuicChannel ch) {
                            c.quic = ch;
                            ch.pipeline().addLast(new Http3ClientConnectionHandler(new ControlStream(c), null, null,
                                    new DefaultHttp3SettingsFrame(settings), true));
                            ch.pipeline().addLast(new ConnHandler(c));
                        }
                    })
                    .remoteAddress(proxy)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                    .connect()
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            if (c.ready.tryFailure(f.cause()) && !connectionPerTunnel) {
                                bound.channel().close();
                            }
                            return;
                        }
                        QuicChannel quic = (QuicChannel) f.getNow();
                        // The QUIC handshake is done when the connect succeeds (firstbyte's TLS phase).
                        ConnectionTimes times = new ConnectionTimes(start);
                        times.handshakeNanos = System.nanoTime();
                        quic.attr(ConnectionTimes.KEY).set(times);
                        javax.net.ssl.SSLEngine engine = quic.sslEngine();
                        if (engine != null) {
                            times.resumed = ConnectionTimes.resumed(engine, times.startMillis);
                            tlsCounts.handshake(times.resumed, engine.getSession().getProtocol(),
                                    engine.getSession().getCipherSuite());
                        }
                        c.quic = quic;
                        channels.add(quic);
                        quic.closeFuture().addListener(x -> {
                            c.ready.tryFailure(new IOException("the QUIC connection closed before it was ready"));
                            if (!connectionPerTunnel) {
                                bound.channel().close(); // its own socket; a shared one stays for the next
                            }
                        });
                        c.connected = true;
                        c.maybeReady();
                    });
        });
        return c;
    }

    /** A new UDP socket on loop with its own QUIC codec (and so its own quiche config). */
    private ChannelFuture bindSocket(EventLoop loop, QuicClientCodecBuilder codec, String wildcard) {
        ChannelHandler quicCodec = codec.build();
        ChannelFuture f = socket.clone(loop).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(quicCodec, ClosedSocketRead.INSTANCE);
            }
        }).bind(new InetSocketAddress(wildcard, 0));
        channels.add(f.channel());
        udpSockets.increment();
        return f;
    }

    @Override
    public Future<Tunnel> open(ChannelHandler handler) {
        long start = System.nanoTime();
        Conn c = connectionPerTunnel ? connect() : conn();
        Promise<Tunnel> p = c.loop.newPromise();
        c.ready.addListener(f -> {
            if (!f.isSuccess()) {
                p.tryFailure(f.cause());
                return;
            }
            QuicChannel quic = c.quic;
            ChannelHandler tunnel = udp ? behindCapsules(handler, ch -> new UdpPort(c, (QuicStreamChannel) ch)) : handler;
            H3ConnectHandler connect = new H3ConnectHandler(p, tunnel, start, udp);
            Http3.newRequestStream(quic, connect).addListener(sf -> {
                if (!sf.isSuccess()) {
                    p.tryFailure(sf.cause());
                    if (connectionPerTunnel) {
                        quic.close();
                    }
                    return;
                }
                QuicStreamChannel stream = (QuicStreamChannel) sf.getNow();
                if (connectionPerTunnel) {
                    stream.closeFuture().addListener(x -> quic.close());
                }
                Http3Headers head = new DefaultHttp3Headers();
                head.add(template);
                connect.sent = System.nanoTime();
                stream.writeAndFlush(new DefaultHttp3HeadersFrame(head)).addListener(wf -> {
                    if (!wf.isSuccess() && p.tryFailure(wf.cause())) {
                        stream.close();
                    }
                });
                deadline(c.loop, p, stream, udp ? "waiting for the CONNECT-UDP answer" : "waiting for the CONNECT answer");
            });
        });
        return p;
    }

    @Override
    public void close() {
        // CONNECTION_CLOSE to the proxy first, so it frees the connections now rather than at its idle timeout.
        List<Future<?>> closing = new ArrayList<>();
        for (Channel ch : channels) {
            if (ch instanceof QuicChannel q) {
                closing.add(q.close());
            }
        }
        for (Future<?> f : closing) {
            f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        super.close();
    }

    @Override
    public void results(Map<String, Object> totals, List<String> summary) {
        super.results(totals, summary);
        totals.put("quicUdpSockets", udpSockets.sum());
        if (!udp) {
            return;
        }
        long dOut = datagramsOut.sum();
        long dIn = datagramsIn.sum();
        long cOut = capsulesOut.sum();
        long cIn = capsulesIn.sum();
        long refused = datagramsRefused.sum();
        totals.put("h3DatagramsSent", dOut);
        totals.put("h3DatagramsReceived", dIn);
        totals.put("capsulesSent", cOut);
        totals.put("capsulesReceived", cIn);
        totals.put("h3DatagramsRefusedByQuic", refused);
        summary.add(String.format(Locale.ROOT, "  h3 carriage  %d HTTP/3 datagrams out, %d in; %d DATAGRAM capsules "
                + "out, %d in%s", dOut, dIn, cOut, cIn, refused > 0 ? "; " + refused + " datagrams refused by the "
                + "QUIC send queue (counted lost)" : ""));
    }

    /** The proxy's control stream: its SETTINGS (extended CONNECT? HTTP/3 datagrams?) and GOAWAY. */
    /**
     * The UDP socket of a connection closed while a read was under way (setup and firstbyte close each connection
     * after its tunnel): epoll reports that read as a ClosedChannelException, which is the close itself, not an
     * error; anything else goes on to Netty's default (a warning).
     */
    @ChannelHandler.Sharable
    static final class ClosedSocketRead extends ChannelInboundHandlerAdapter {
        static final ClosedSocketRead INSTANCE = new ClosedSocketRead();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof java.nio.channels.ClosedChannelException)) {
                ctx.fireExceptionCaught(cause);
            }
        }
    }

    private static final class ControlStream extends ChannelInboundHandlerAdapter {
        private final Conn c;

        ControlStream(Conn c) {
            this.c = c;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http3SettingsFrame s && !c.settingsSeen) {
                    Long connect = s.get(Http3SettingsFrame.HTTP3_SETTINGS_ENABLE_CONNECT_PROTOCOL);
                    Long datagrams = s.get(SETTINGS_H3_DATAGRAM);
                    c.peerConnectProtocol = connect != null && connect == 1L;
                    c.peerDatagrams = datagrams != null && datagrams == 1L;
                    c.settingsSeen = true;
                    c.maybeReady();
                } else if (msg instanceof Http3GoAwayFrame) {
                    c.goingAway = true; // new tunnels go to a new connection
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** The QUIC connection's own handler: inbound HTTP/3 datagrams to their flows; the datagram extension's size. */
    private final class ConnHandler extends ChannelInboundHandlerAdapter {
        private final Conn c;

        ConnHandler(Conn c) {
            this.c = c;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf datagram)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                ByteBuffer nio = CapsuleCodec.nioView(datagram);
                int length = nio.remaining();
                if (!(QuarterStreamId.decode(nio) instanceof QuarterStreamId.Datagram d)) {
                    return; // malformed: a broken proxy; nothing a load run can do with it
                }
                UdpPort port = c.flows.get(d.streamId());
                if (port == null) {
                    return; // the flow ended (RFC 9297 §2.1 allows dropping)
                }
                if (UdpPayload.decode(d.payload()) instanceof UdpPayload.Udp u) {
                    int n = u.payload().remaining();
                    c.deliver(port, datagram.retainedSlice(datagram.readerIndex() + length - n, n));
                }
            } finally {
                datagram.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            c.completeReads();
            ctx.fireChannelReadComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicDatagramExtensionEvent e) {
                c.maxDatagram = e.maxLength();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            c.ready.tryFailure(cause);
            ctx.close();
        }
    }

    /**
     * On a CONNECT-UDP stream, between the capsule codec and the flow: sends each UDP payload as an HTTP/3 datagram
     * when the connection may (else on to the capsule codec), and hands the flow the datagrams of its stream.
     */
    final class UdpPort extends ChannelDuplexHandler {
        private final Conn c;
        private final QuicStreamChannel stream;
        private final long streamId;
        private final byte[] header;
        private ChannelHandlerContext ctx;
        private boolean quicFlushPending;
        boolean touched;

        UdpPort(Conn c, QuicStreamChannel stream) {
            this.c = c;
            this.stream = stream;
            this.streamId = stream.streamId();
            byte[] q = QuarterStreamId.encode(streamId);
            header = new byte[q.length + 1]; // + context ID 0
            System.arraycopy(q, 0, header, 0, q.length);
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            c.flows.put(streamId, this);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            c.flows.remove(streamId);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            c.flows.remove(streamId);
            ctx.fireChannelInactive();
        }

        void deliver(ByteBuf payload) {
            if (ctx == null || !stream.isActive()) {
                payload.release();
                return;
            }
            datagramsIn.increment();
            ctx.fireChannelRead(payload);
        }

        void readComplete() {
            if (ctx != null && stream.isActive()) {
                ctx.fireChannelReadComplete();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            capsulesIn.increment(); // a DATAGRAM capsule the codec decoded from the stream
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!(msg instanceof ByteBuf payload)) {
                ctx.write(msg, promise);
                return;
            }
            int n = payload.readableBytes();
            if (offerDatagrams && c.peerDatagrams && c.maxDatagram >= header.length + n) {
                ByteBuf out = c.quic.alloc().directBuffer(header.length + n);
                out.writeBytes(header).writeBytes(payload, payload.readerIndex(), n);
                payload.release();
                datagramsOut.increment();
                c.quic.write(out).addListener(f -> {
                    if (!f.isSuccess()) {
                        datagramsRefused.increment();
                    }
                });
                quicFlushPending = true;
                promise.trySuccess();
            } else {
                capsulesOut.increment();
                ctx.write(payload, promise);
            }
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (quicFlushPending) {
                quicFlushPending = false;
                c.quic.flush();
            }
            ctx.flush();
        }
    }

    /** On a request stream: waits for the final :status; a 2xx turns the stream into the tunnel. */
    static final class H3ConnectHandler extends Connectors.StreamAnswerHandler {
        H3ConnectHandler(Promise<Tunnel> promise, ChannelHandler tunnelHandler, long start, boolean udp) {
            super(promise, tunnelHandler, start, udp);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http3HeadersFrame h) {
                    CharSequence status = h.headers().status();
                    if (status != null && status.length() == 3 && status.charAt(0) == '1') {
                        return; // interim answer: wait for the final one
                    }
                    if (!is2xx(status)) {
                        fail(ctx, new IOException("the proxy answered " + what + " with :status " + status));
                        return;
                    }
                    open(ctx, new H3Bytes());
                } else if (msg instanceof Http3DataFrame) {
                    fail(ctx, new IOException("the proxy sent DATA before answering " + what));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                fail(ctx, new IOException("the proxy ended the " + what + " stream before answering"));
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /**
     * DATA frames in and out as plain ByteBufs. The proxy's FIN ends the tunnel: closing the stream sends ours
     * (Netty's QUIC stream sends FIN on close), so the stream ends cleanly rather than by RESET_STREAM.
     */
    static final class H3Bytes extends Connectors.FrameBytes {
        @Override
        Object dataFrame(ByteBuf b) {
            return new DefaultHttp3DataFrame(b);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http3DataFrame d) {
                if (d.content().isReadable()) {
                    ctx.fireChannelRead(d.content().retain());
                }
                d.release();
            } else {
                ReferenceCountUtil.release(msg); // trailers, unknown frames
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
