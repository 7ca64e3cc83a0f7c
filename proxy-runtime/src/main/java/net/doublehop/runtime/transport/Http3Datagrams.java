package net.doublehop.runtime.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http3.Http3SettingsFrame;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicDatagramExtensionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import net.doublehop.protocol.masque.QuarterStreamId;
import net.doublehop.protocol.masque.QuicVarInt;

/**
 * HTTP/3 datagrams (RFC 9297 §2) of one QUIC connection: which request stream each inbound datagram belongs to
 * (its quarter stream ID), and whether we may send any — only once the peer's SETTINGS said
 * {@code SETTINGS_H3_DATAGRAM = 1} and QUIC negotiated the datagram extension, and only up to its size.
 * Confined to the connection's event loop.
 */
public final class Http3Datagrams {

    private static final Logger LOG = System.getLogger("proxy.connections");
    private static final AttributeKey<Http3Datagrams> KEY = AttributeKey.valueOf("doublehop.h3datagrams");
    /**
     * The largest QUIC packet (UDP payload) we send and take: Ethernet's 1500 less IPv6 and UDP headers. QUIC's
     * own floor, 1200, which quiche uses by default, leaves no room for a 1200-byte UDP payload in one HTTP/3
     * datagram, so every such payload would go as a capsule on the stream instead.
     */
    public static final int MAX_UDP_PAYLOAD = 1452;

    /** SETTINGS_H3_DATAGRAM (RFC 9297 §2.1.1). */
    static final long SETTINGS_H3_DATAGRAM = 0x33;

    private final QuicChannel connection;
    private final Map<Long, Consumer<ByteBuffer>> flows = new HashMap<>();
    private boolean peerSettingsAllow;
    private int maxLength; // 0 until QUIC negotiated datagrams

    private Http3Datagrams(QuicChannel connection) {
        this.connection = connection;
    }

    public static Http3Datagrams attach(QuicChannel connection) {
        Http3Datagrams d = new Http3Datagrams(connection);
        connection.attr(KEY).set(d);
        return d;
    }

    public static Http3Datagrams of(QuicChannel connection) {
        return connection.attr(KEY).get();
    }

    /** Routes the datagrams of request stream {@code streamId} (their payload after the quarter stream ID). */
    void register(long streamId, Consumer<ByteBuffer> flow) {
        flows.put(streamId, flow);
    }

    void unregister(long streamId) {
        flows.remove(streamId);
    }

    /** The most UDP payload one datagram can carry for {@code streamId}, or 0 when datagrams may not be sent. */
    int maxPayload(long streamId) {
        if (!peerSettingsAllow || maxLength == 0) {
            return 0;
        }
        return maxLength - QuicVarInt.encodedLength(QuarterStreamId.of(streamId)) - 1; // 1: context ID 0
    }

    /** One HTTP/3 datagram: quarter stream ID, context ID 0, the payload. */
    void send(long streamId, ByteBuf payload) {
        ByteBuf header = Unpooled.buffer(QuicVarInt.MAX_LENGTH + 1);
        header.writeBytes(QuarterStreamId.encode(streamId)).writeByte(0);
        connection.writeAndFlush(Unpooled.wrappedBuffer(header, payload));
    }

    /** The QUIC connection's handler: datagrams to their flows, the datagram extension's size. */
    public ChannelInboundHandlerAdapter inbound() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!(msg instanceof ByteBuf datagram)) {
                    ctx.fireChannelRead(msg);
                    return;
                }
                try {
                    dispatch(datagram.nioBuffer());
                } finally {
                    datagram.release();
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicDatagramExtensionEvent e) {
                    maxLength = e.maxLength();
                }
                ctx.fireUserEventTriggered(evt);
            }
        };
    }

    /** The handler of the peer's control stream: its SETTINGS say whether it accepts HTTP/3 datagrams. */
    public ChannelInboundHandlerAdapter peerSettings() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http3SettingsFrame settings) {
                    Long v = settings.get(SETTINGS_H3_DATAGRAM);
                    peerSettingsAllow = v != null && v == 1L;
                }
                ReferenceCountUtil.release(msg);
            }
        };
    }

    /**
     * A datagram whose quarter stream ID does not parse is a connection error (RFC 9297 §2.1, H3_DATAGRAM_ERROR):
     * that field is written by the peer's HTTP/3 stack, never by a user, so only a broken peer sends it. One that
     * names no open flow is dropped: the flow may have just ended (§2.1 allows dropping). What a user controls,
     * the context ID and payload, is the flow's business and ends at most the flow.
     */
    private void dispatch(ByteBuffer datagram) {
        QuarterStreamId.Decoded decoded = QuarterStreamId.decode(datagram);
        if (decoded instanceof QuarterStreamId.Invalid invalid) {
            LOG.log(Level.DEBUG, "HTTP/3 datagram without a valid quarter stream ID: closing the connection");
            connection.close(true, (int) invalid.error().connectionErrorCode(), Unpooled.EMPTY_BUFFER);
            return;
        }
        QuarterStreamId.Datagram d = (QuarterStreamId.Datagram) decoded;
        Consumer<ByteBuffer> flow = flows.get(d.streamId());
        if (flow != null) {
            flow.accept(d.payload());
        }
    }
}
