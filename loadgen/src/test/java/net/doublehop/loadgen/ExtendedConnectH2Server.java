package net.doublehop.loadgen;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/2 server on Netty (TLS, ALPN h2) that takes CONNECT-UDP as extended CONNECT (RFC 9298 §3.3,
 * RFC 8441): its SETTINGS carry SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (unless told not to), it answers
 * {@code :protocol connect-udp} with 200 and {@code capsule-protocol: ?1}, then sends every DATA frame back as it came:
 * an echo of the client's DATAGRAM capsules, so of its UDP payloads. It stands in for Proxy B, whose HTTP/2 listener
 * (Vert.x) refuses extended CONNECT in this tree (docs/architecture.md §4).
 */
final class ExtendedConnectH2Server implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    /** Every request head seen, pseudo-headers and headers sorted by name. */
    final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();

    ExtendedConnectH2Server(Path cert, Path key, boolean enableConnectProtocol) throws Exception {
        SslContext tls = SslContextBuilder.forServer(cert.toFile(), key.toFile())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
                .build();
        Http2Settings settings = Http2Settings.defaultSettings();
        if (enableConnectProtocol) {
            settings.connectProtocolEnabled(true);
        }
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel stream) {
                                stream.pipeline().addLast(new EchoStream());
                            }
                        }));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private final class EchoStream extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame h) {
                Map<String, String> seen = new TreeMap<>();
                h.headers().forEach(e -> seen.put(e.getKey().toString(), e.getValue().toString()));
                requests.add(seen);
                boolean udp = "CONNECT".equals(seen.get(":method")) && "connect-udp".equals(seen.get(":protocol"));
                ctx.writeAndFlush(new DefaultHttp2HeadersFrame(udp
                        ? new DefaultHttp2Headers().status("200").add("capsule-protocol", "?1")
                        : new DefaultHttp2Headers().status("400"), !udp));
            } else if (msg instanceof Http2DataFrame d) {
                ctx.writeAndFlush(new DefaultHttp2DataFrame(d.content().retain(), d.isEndStream()));
                d.release();
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    @Override
    public void close() throws Exception {
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
