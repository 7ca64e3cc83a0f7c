package net.doublehop.proxyb.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http3.DefaultHttp3DataFrame;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3DataFrame;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3RequestStreamInboundHandler;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.doublehop.protocol.masque.QuarterStreamId;
import net.doublehop.protocol.masque.UdpPayload;

/**
 * A test MASQUE client over HTTP/3 on Netty's codec: extended CONNECT (RFC 9220) for CONNECT-UDP, HTTP/3
 * datagrams (RFC 9297) and capsules on the stream. Blocking calls, for tests only.
 */
public final class Http3MasqueClient implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel udp;
    private final QuicChannel quic;
    private final Map<Long, Flow> flows = new ConcurrentHashMap<>();

    /** @param datagrams whether to send SETTINGS_H3_DATAGRAM = 1 (the server may then send datagrams) */
    public Http3MasqueClient(String host, int port, boolean datagrams) throws Exception {
        this(host, port, datagrams, "127.0.0.1");
    }

    /** @param localAddress the client's source address (a loopback alias stands for where the user is) */
    public Http3MasqueClient(String host, int port, boolean datagrams, String localAddress) throws Exception {
        QuicSslContext ssl = QuicSslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocols(Http3.supportedApplicationProtocols()).build();
        udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(Http3.newQuicClientCodecBuilder().sslContext(ssl)
                        .maxIdleTimeout(30, TimeUnit.SECONDS)
                        .initialMaxData(16 * 1024 * 1024)
                        .initialMaxStreamDataBidirectionalLocal(1024 * 1024)
                        .initialMaxStreamDataBidirectionalRemote(1024 * 1024)
                        .maxSendUdpPayloadSize(1452)
                        .maxRecvUdpPayloadSize(1452)
                        .datagram(256, 256)
                        .build())
                .bind(new InetSocketAddress(localAddress, 0)).sync().channel();
        Http3Settings settings = new Http3Settings().enableH3Datagram(datagrams);
        quic = QuicChannel.newBootstrap(udp)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        ch.pipeline().addLast(new Http3ClientConnectionHandler(null, null, null,
                                new DefaultHttp3SettingsFrame(settings), true));
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof ByteBuf datagram) {
                                    try {
                                        onDatagram(datagram.nioBuffer());
                                    } finally {
                                        datagram.release();
                                    }
                                } else {
                                    ctx.fireChannelRead(msg);
                                }
                            }
                        });
                    }
                })
                .remoteAddress(new InetSocketAddress(host, port))
                .connect().get(10, TimeUnit.SECONDS);
    }

    private void onDatagram(ByteBuffer datagram) {
        if (QuarterStreamId.decode(datagram) instanceof QuarterStreamId.Datagram d) {
            Flow f = flows.get(d.streamId());
            if (f != null && UdpPayload.decode(d.payload()) instanceof UdpPayload.Udp u) {
                byte[] b = new byte[u.payload().remaining()];
                u.payload().get(b);
                f.datagrams.add(b);
            }
        }
    }

    /** Opens an extended CONNECT with {@code :protocol connect-udp}; waits for the response head. */
    public Flow connectUdp(String authority, String path, String... headers) throws Exception {
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").protocol("connect-udp").scheme("https")
                .authority(authority).path(path).add("capsule-protocol", "?1");
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i].toLowerCase(java.util.Locale.ROOT), headers[i + 1]);
        }
        return open(h);
    }

    /** A classic CONNECT (RFC 9114 §4.4) to {@code target}; the stream then carries the tunnel's bytes. */
    public Flow connect(String target, String... headers) throws Exception {
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").authority(target);
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i].toLowerCase(java.util.Locale.ROOT), headers[i + 1]);
        }
        return open(h);
    }

    /**
     * A classic CONNECT whose data and FIN follow the request at once, before any answer (a client may send right
     * behind its request; the proxy must hold both until the tunnel is up).
     */
    public Flow connectSendingAtOnce(String target, byte[] body, String... headers) throws Exception {
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").authority(target);
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i].toLowerCase(java.util.Locale.ROOT), headers[i + 1]);
        }
        Flow flow = new Flow();
        QuicStreamChannel stream = Http3.newRequestStream(quic, flow.handler()).get(10, TimeUnit.SECONDS);
        flow.stream = stream;
        stream.write(new DefaultHttp3HeadersFrame(h));
        stream.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(body)))
                .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT).sync();
        flow.head.get(10, TimeUnit.SECONDS);
        return flow;
    }

    /**
     * A classic CONNECT reset at once: HEADERS, then RESET_STREAM and STOP_SENDING with H3_REQUEST_CANCELLED, before
     * any answer could arrive (what a Rapid Reset attacker does). False when the connection was closed under the
     * write (the proxy cutting it off is what a test of the defence waits for), true when the stream was reset.
     */
    public boolean connectAndReset(String target, String... headers) throws Exception {
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").authority(target);
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i].toLowerCase(java.util.Locale.ROOT), headers[i + 1]);
        }
        QuicStreamChannel stream;
        try {
            stream = Http3.newRequestStream(quic, new Flow().handler()).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.nio.channels.ClosedChannelException && !quic.isActive()) {
                return false; // closed before the stream could open: the same cut-off, a moment earlier
            }
            throw e;
        }
        io.netty.channel.ChannelFuture written = stream.writeAndFlush(new DefaultHttp3HeadersFrame(h)).await();
        if (!written.isSuccess()) {
            if (written.cause() instanceof java.nio.channels.ClosedChannelException && !quic.isActive()) {
                return false;
            }
            throw new IllegalStateException("HEADERS not written", written.cause());
        }
        stream.shutdown(0x10c); // H3_REQUEST_CANCELLED, both directions
        return true;
    }

    /** Whether the QUIC connection is still open. */
    public boolean isOpen() {
        return quic.isActive();
    }

    /** Sends any request head (for malformed-request tests). */
    public Flow open(Http3Headers head) throws Exception {
        Flow flow = new Flow();
        QuicStreamChannel stream = Http3.newRequestStream(quic, flow.handler()).get(10, TimeUnit.SECONDS);
        flow.stream = stream;
        flows.put(stream.streamId(), flow);
        stream.writeAndFlush(new DefaultHttp3HeadersFrame(head)).sync();
        flow.head.get(10, TimeUnit.SECONDS);
        return flow;
    }

    /**
     * A bidirectional stream without the HTTP/3 codec, carrying exactly {@code bytes} (for tests of frames the codec
     * would never write, such as a HEADERS frame cut short). The future completes when the server resets or closes
     * the stream.
     */
    public CompletableFuture<Void> openRawStream(byte[] bytes) throws Exception {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        QuicStreamChannel stream = quic.createStream(io.netty.handler.codec.quic.QuicStreamType.BIDIRECTIONAL,
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        io.netty.util.ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
                            ended.complete(null);
                        }
                        io.netty.util.ReferenceCountUtil.release(evt);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        ended.complete(null);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
                        ended.complete(null);
                        ctx.close();
                    }
                }).get(10, TimeUnit.SECONDS);
        stream.writeAndFlush(Unpooled.wrappedBuffer(bytes)).sync();
        return ended;
    }

    /** Any bytes as one QUIC datagram (for malformed-datagram tests). */
    public void sendRawDatagram(ByteBuf datagram) {
        quic.writeAndFlush(datagram);
    }

    @Override
    public void close() throws Exception {
        quic.close().await(5, TimeUnit.SECONDS);
        udp.close().await(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** One request stream: its response head, datagrams and capsule bytes received, its end. */
    public final class Flow {
        private final CompletableFuture<Http3Headers> head = new CompletableFuture<>();
        private final ByteArrayOutputStream streamBytes = new ByteArrayOutputStream();
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        final BlockingQueue<byte[]> datagrams = new LinkedBlockingQueue<>();
        private QuicStreamChannel stream;

        public int status() throws Exception {
            return Integer.parseInt(head.get(10, TimeUnit.SECONDS).status().toString());
        }

        public String header(String name) throws Exception {
            CharSequence v = head.get(10, TimeUnit.SECONDS).get(name);
            return v == null ? null : v.toString();
        }

        public long streamId() {
            return stream.streamId();
        }

        /** An HTTP/3 datagram: quarter stream ID, context ID 0, payload. */
        public void sendDatagram(byte[] payload) {
            ByteBuf b = Unpooled.buffer();
            b.writeBytes(QuarterStreamId.encode(stream.streamId())).writeByte(0).writeBytes(payload);
            quic.writeAndFlush(b);
        }

        /** Raw bytes as a DATA frame on the stream (capsules, or garbage). */
        public void sendOnStream(byte[] bytes) throws Exception {
            stream.writeAndFlush(new DefaultHttp3DataFrame(Unpooled.wrappedBuffer(bytes))).sync();
        }

        /** The next UDP payload received as an HTTP/3 datagram, or null after {@code millis}. */
        public byte[] nextDatagram(long millis) throws InterruptedException {
            return datagrams.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** Waits until the stream carried {@code needle} (as ISO-8859-1 text) or the server ended it; returns it all. */
        public String awaitText(String needle, long millis) throws Exception {
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < deadline) {
                String got = new String(streamBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                if (got.contains(needle) || ended.isDone()) {
                    return got;
                }
                Thread.sleep(10);
            }
            return new String(streamBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        /** Everything received on the stream after the head so far (capsules). */
        public synchronized byte[] streamBytes() {
            return streamBytes.toByteArray();
        }

        /** Waits for the server's FIN or reset of the stream, or the stream's close. */
        public boolean awaitEnd(long millis) throws Exception {
            try {
                CompletableFuture.anyOf(ended, closed).get(millis, TimeUnit.MILLISECONDS);
                return true;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        public boolean isOpen() {
            return stream.isActive();
        }

        /** Resets the stream both ways (RESET_STREAM and STOP_SENDING, H3_REQUEST_CANCELLED). */
        public void reset() throws Exception {
            stream.shutdown(0x10c).sync();
        }

        private Http3RequestStreamInboundHandler handler() {
            return new Http3RequestStreamInboundHandler() {
                @Override
                protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
                    head.complete(frame.headers());
                }

                @Override
                protected void channelRead(ChannelHandlerContext ctx, Http3DataFrame frame) {
                    synchronized (Flow.this) {
                        streamBytes.writeBytes(ByteBufUtil.getBytes(frame.content()));
                    }
                    frame.release();
                }

                @Override
                protected void channelInputClosed(ChannelHandlerContext ctx) {
                    ended.complete(null);
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                    closed.complete(null);
                    head.completeExceptionally(new IllegalStateException("stream closed before a response"));
                    super.channelInactive(ctx);
                }

                @Override
                public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
                    closed.complete(null);
                    head.completeExceptionally(t);
                    ctx.close();
                }
            };
        }
    }
}
