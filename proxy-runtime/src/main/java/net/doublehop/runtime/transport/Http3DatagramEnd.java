package net.doublehop.runtime.transport;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import net.doublehop.runtime.vertx.LoopContext;
import java.nio.ByteBuffer;
import net.doublehop.protocol.masque.UdpPayload;
import net.doublehop.runtime.relay.CapsuleDatagramEnd;
import net.doublehop.runtime.relay.BaseDatagramEnd;

/**
 * A CONNECT-UDP flow on an HTTP/3 request stream: UDP payloads arrive as HTTP/3 datagrams (RFC 9297 §2) or as
 * DATAGRAM capsules on the stream, and leave as datagrams when the peer accepts them and the payload fits, as
 * capsules otherwise (RFC 9298 §5). The stream's end is the flow's end.
 */
public final class Http3DatagramEnd extends BaseDatagramEnd {

    private final CapsuleDatagramEnd stream;
    private final Http3Datagrams datagrams;
    private final long streamId;
    private final LoopContext context;

    public Http3DatagramEnd(Http3StreamEnd streamEnd, Http3Datagrams datagrams, long streamId, LoopContext context) {
        this.stream = new CapsuleDatagramEnd(streamEnd);
        this.datagrams = datagrams;
        this.streamId = streamId;
        this.context = context;
        stream.payloadHandler(this::deliver);
        stream.closeHandler(v -> finish());
        datagrams.register(streamId, this::fromDatagram);
    }

    @Override
    public void send(Buffer payload) {
        if (closed()) {
            return;
        }
        if (payload.length() <= datagrams.maxPayload(streamId)) {
            datagrams.send(streamId, Unpooled.wrappedBuffer(payload.getBytes()));
        } else {
            stream.send(payload);
        }
    }

    @Override
    public void close() {
        stream.close();
    }

    /** A datagram's payload after its quarter stream ID: context ID, then (for context 0) the UDP payload. */
    private void fromDatagram(ByteBuffer httpDatagramPayload) {
        if (closed()) {
            return;
        }
        UdpPayload.Decoded decoded = UdpPayload.decode(httpDatagramPayload);
        if (decoded instanceof UdpPayload.Udp udp) {
            byte[] bytes = new byte[udp.payload().remaining()];
            udp.payload().get(bytes);
            context.emit(Buffer.buffer(bytes), this::deliver);
        } else if (decoded instanceof UdpPayload.TooLong || decoded instanceof UdpPayload.MissingContextId) {
            close(); // RFC 9298 §5: a malformed UDP proxying payload aborts the flow, only it
        }
        // UnknownContext: dropped silently (RFC 9298 §5)
    }

    /** The stream ended the flow: no more datagrams for it. */
    @Override
    protected void release() {
        datagrams.unregister(streamId);
    }
}
