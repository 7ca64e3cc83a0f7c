package net.doublehop.runtime.nexthop;

import net.doublehop.runtime.transport.QuicSockets;
import net.doublehop.runtime.vertx.VertxTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http3.DefaultHttp3HeadersFrame;
import io.netty.handler.codec.http3.DefaultHttp3SettingsFrame;
import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.http3.Http3ClientConnectionHandler;
import io.netty.handler.codec.http3.Http3Headers;
import io.netty.handler.codec.http3.Http3HeadersFrame;
import io.netty.handler.codec.http3.Http3Settings;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import net.doublehop.runtime.vertx.LoopContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.nexthop.NextHopConnection;
import net.doublehop.runtime.listen.HeaderFields;
import net.doublehop.runtime.nexthop.StreamAnswer;
import net.doublehop.runtime.transport.Http3DatagramEnd;
import net.doublehop.runtime.transport.Http3Datagrams;
import net.doublehop.runtime.transport.Http3StreamEnd;
import net.doublehop.runtime.transport.Http3StreamHandler;

/**
 * One HTTP/3 connection to the next hop on Netty's codec, on one Vert.x context's event loop (so its streams, the
 * flows using them and their other sockets share a thread). It sends what Vert.x's HTTP/3 client cannot: extended
 * CONNECT (RFC 9220) and HTTP/3 datagrams (RFC 9297). Each request is a stream; its answer carries the stream as a
 * byte tunnel end or as a datagram end.
 */
public final class Http3ClientConnection implements NextHopConnection {

    private final LoopContext context;
    private final Channel socket;
    private final QuicChannel quic;
    private final Http3Datagrams datagrams;
    private final AtomicInteger streams = new AtomicInteger();

    private Http3ClientConnection(LoopContext context, Channel socket, QuicChannel quic, Http3Datagrams datagrams) {
        this.context = context;
        this.socket = socket;
        this.quic = quic;
        this.datagrams = datagrams;
    }

    /**
     * Connects to {@code server} from the event loop of {@code context}.
     *
     * @param tls a client context (ALPN h3; trust and client certificate as the next hop expects)
     * @param serverName the name the server's certificate is checked against (and SNI)
     */
    public static Future<Http3ClientConnection> connect(LoopContext context, InetSocketAddress server,
            String serverName, QuicSslContext tls, Duration connectTimeout, Duration idleTimeout) {
        return connect(context, server, null, serverName, tls, connectTimeout, idleTimeout);
    }

    /**
     * As above, from {@code local} (null: any address of the server's family; the local client's
     * {@code --source-address}, by which Proxy A locates it).
     */
    public static Future<Http3ClientConnection> connect(LoopContext context, InetSocketAddress server,
            InetSocketAddress local, String serverName, QuicSslContext tls, Duration connectTimeout,
            Duration idleTimeout) {
        Promise<Http3ClientConnection> result = context.promise();
        Http3Datagrams[] holder = new Http3Datagrams[1];
        QuicSockets.buffers(new Bootstrap())
                .group(context.nettyEventLoop())
                .channelFactory(VertxTransport.of(context.owner()).datagramChannelFactory())
                .handler(Http3.newQuicClientCodecBuilder()
                        .sslEngineProvider(q -> tls.newEngine(q.alloc(), serverName, server.getPort()))
                        .maxIdleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .initialMaxData(16L * 1024 * 1024)
                        .initialMaxStreamDataBidirectionalLocal(1024 * 1024)
                        .initialMaxStreamDataBidirectionalRemote(1024 * 1024)
                        .initialMaxStreamDataUnidirectional(64 * 1024)
                        .initialMaxStreamsUnidirectional(8)
                        .maxSendUdpPayloadSize(Http3Datagrams.MAX_UDP_PAYLOAD)
                        .maxRecvUdpPayloadSize(Http3Datagrams.MAX_UDP_PAYLOAD)
                        .datagram(512, 512)
                        .build())
                .bind(local != null ? local
                        : new InetSocketAddress(server.getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0", 0))
                .addListener(bound -> {
                    if (!bound.isSuccess()) {
                        result.fail(bound.cause());
                        return;
                    }
                    Channel socket = ((io.netty.channel.ChannelFuture) bound).channel();
                    QuicChannel.newBootstrap(socket)
                            .handler(new ChannelInitializer<QuicChannel>() {
                                @Override
                                protected void initChannel(QuicChannel ch) {
                                    holder[0] = Http3Datagrams.attach(ch);
                                    ch.pipeline().addLast(new Http3ClientConnectionHandler(holder[0].peerSettings(),
                                            null, null, new DefaultHttp3SettingsFrame(
                                                    new Http3Settings().enableH3Datagram(true)), true));
                                    ch.pipeline().addLast(holder[0].inbound());
                                }
                            })
                            .remoteAddress(server)
                            .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS,
                                    (int) connectTimeout.toMillis())
                            .connect()
                            .addListener(connected -> {
                                if (connected.isSuccess()) {
                                    QuicChannel quic = (QuicChannel) connected.getNow();
                                    quic.closeFuture().addListener(f -> socket.close());
                                    result.complete(new Http3ClientConnection(context, socket, quic, holder[0]));
                                } else {
                                    socket.close();
                                    result.fail(connected.cause());
                                }
                            });
                });
        return result.future();
    }

    /**
     * Connected, no GOAWAY from the server, and QUIC lets us open another bidirectional stream. Netty's count of the
     * streams the peer still allows means "none left" only at 0: it reads quiche's count only when its own reached
     * 0, and it reported -1 on A's connections to B (in the tests and the peer benchmark). Taken for "none left",
     * that made each connection unusable after its first stream: A opened a new QUIC connection (a full handshake)
     * per tunnel and kept the old ones until their idle timeout. Were the limit really reached, opening the stream
     * fails and the request is retried on another connection.
     */
    @Override
    public boolean isUsable() {
        if (!quic.isActive() || quic.peerAllowedStreams(io.netty.handler.codec.quic.QuicStreamType.BIDIRECTIONAL) == 0) {
            return false;
        }
        Http3ClientConnectionHandler h = quic.pipeline().get(Http3ClientConnectionHandler.class);
        return h != null && !h.isGoAwayReceived();
    }

    @Override
    public boolean isOpen() {
        return quic.isActive();
    }

    @Override
    public int activeStreams() {
        return streams.get();
    }

    @Override
    public io.netty.channel.EventLoop eventLoop() {
        return quic.eventLoop();
    }

    /** Sends {@code head} on a new request stream; completes with the response head (any status). */
    public Future<Answer> request(Http3Headers head) {
        return request(head, Promise.<Void>promise().future());
    }

    /**
     * As {@link #request(Http3Headers)}; when {@code cancelled} completes before the answer, the stream is reset at
     * once, so the next hop stops working on it.
     */
    public Future<Answer> request(Http3Headers head, Future<?> cancelled) {
        Promise<Answer> answered = context.promise();
        ResponseHandler handler = new ResponseHandler(answered);
        streams.incrementAndGet();
        Http3.newRequestStream(quic, handler).addListener(created -> {
            if (!created.isSuccess()) {
                streams.decrementAndGet();
                answered.tryFail(created.cause());
                return;
            }
            QuicStreamChannel stream = (QuicStreamChannel) created.getNow();
            stream.closeFuture().addListener(f -> streams.decrementAndGet());
            handler.end(new Http3StreamEnd(stream, context));
            cancelled.onComplete(c -> {
                if (answered.tryFail("cancelled")) {
                    handler.end().reset();
                }
            });
            stream.writeAndFlush(new DefaultHttp3HeadersFrame(head)).addListener(w -> {
                if (!w.isSuccess()) {
                    answered.tryFail(w.cause());
                }
            });
            stream.closeFuture().addListener(f -> answered.tryFail("stream closed before a response"));
        });
        return answered.future();
    }

    @Override
    public void close() {
        quic.close();
    }

    /** Completes once the QUIC connection is closed (by either side, or its idle timeout). */
    public Future<Void> closeFuture() {
        Promise<Void> p = context.promise();
        quic.closeFuture().addListener(f -> p.tryComplete());
        return p.future();
    }

    /** A response head and its stream. */
    public final class Answer extends StreamAnswer {
        private final Http3StreamEnd end;
        private final QuicStreamChannel stream;

        Answer(int status, MultiMap headers, Http3StreamEnd end, QuicStreamChannel stream) {
            super(status, headers, end);
            this.end = end;
            this.stream = stream;
        }

        /**
         * The stream of a 2xx to CONNECT as a channel of plain bytes (DATA frames unwrapped, {@link Http3StreamBytes}),
         * for a protocol of our own inside the tunnel (the local client's TLS to Proxy B through A, with
         * {@link Http2ClientConnection#over}). Instead of {@link #tunnel}, never both. Called on the stream's event
         * loop.
         */
        public Channel carrier() {
            stream.pipeline().remove(ResponseHandler.class);
            stream.pipeline().addLast(new Http3StreamBytes());
            stream.config().setAutoRead(true);
            return stream;
        }

        /** The stream as a CONNECT-UDP flow: capsules on it, and this stream's HTTP/3 datagrams. */
        @Override
        public DatagramEnd datagrams() {
            return new Http3DatagramEnd(end, datagrams, end.streamId(), context);
        }
    }

    /** The client side of a request stream: the first HEADERS is the answer; DATA and FIN go to the stream end. */
    private final class ResponseHandler extends Http3StreamHandler {
        private final Promise<Answer> answered;
        private boolean headDone;

        ResponseHandler(Promise<Answer> answered) {
            this.answered = answered;
        }

        @Override
        protected void channelRead(ChannelHandlerContext ctx, Http3HeadersFrame frame) {
            if (headDone) {
                return; // trailers
            }
            int code = HeaderFields.status(frame.headers().status());
            if (code >= 100 && code < 200) {
                return; // interim responses: wait for the final one
            }
            headDone = true;
            if (code < 0) {
                answered.tryFail("malformed :status from the next hop");
                ctx.close();
                return;
            }
            Answer a = new Answer(code, HeaderFields.regular(frame.headers()), end, (QuicStreamChannel) ctx.channel());
            end.completeOnContext(answered, a);
        }

        /** Nothing before the answer's head: a tunnel's data follows it. */
        @Override
        protected boolean dataAllowed() {
            return end != null && headDone;
        }

        @Override
        protected void failed(Throwable t) {
            answered.tryFail(t);
            super.failed(t);
        }
    }
}
