package net.doublehop.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import net.doublehop.protocol.masque.Capsule;
import net.doublehop.protocol.masque.CapsuleEvent;
import net.doublehop.protocol.masque.CapsuleParser;
import net.doublehop.protocol.masque.UdpPayload;

/**
 * UDP payloads as DATAGRAM capsules on a tunnel's byte stream (RFC 9297 §3.5, RFC 9298 §5). Unknown capsule types
 * are skipped; a malformed capsule stream, a DATAGRAM without a whole context ID, or a context-0 payload too long
 * for UDP ends the flow (RFC 9297 §3.3, RFC 9298 §5); payloads of unknown context IDs are dropped.
 *
 * <p>Sending is bounded: while the stream's write queue is full, payloads are dropped (a UDP flow may lose
 * datagrams; it must not buffer without limit because the client reads slowly).
 */
public final class CapsuleDatagramEnd extends BaseDatagramEnd {

    private final TunnelEnd stream;
    private final CapsuleParser parser = UdpPayload.capsuleParser();

    public CapsuleDatagramEnd(TunnelEnd stream) {
        this.stream = stream;
        stream.handler(this::fromClient);
        stream.endHandler(v -> finish());
        stream.closeHandler(v -> finish());
        stream.exceptionHandler(t -> finish());
    }

    @Override
    public void send(Buffer payload) {
        if (closed() || stream.writeQueueFull()) {
            return;
        }
        // capsule header + context ID 0, then the payload's own buffer: no re-encoding of the payload
        stream.write(Unpooled.wrappedBuffer(UdpPayload.datagramCapsulePrefix(payload.length()), payload.getBytes()));
    }

    @Override
    public void close() {
        finish();
    }

    /** Parses what arrived (and releases it: the parser keeps what it needs of a partial capsule). */
    void fromClient(ByteBuf data) {
        ByteBuffer in;
        try {
            in = ByteBuffer.wrap(ByteBufUtil.getBytes(data));
        } finally {
            data.release();
        }
        while (!closed()) {
            CapsuleEvent event = parser.next(in);
            if (event == CapsuleEvent.NEED_MORE) {
                return;
            }
            if (event instanceof CapsuleEvent.Failed) {
                close(); // a malformed capsule stream ends the flow (RFC 9297 §3.3)
                return;
            }
            if (event instanceof CapsuleEvent.Parsed parsed && parsed.capsule().type() == Capsule.DATAGRAM) {
                UdpPayload.Decoded decoded = UdpPayload.decode(parsed.capsule().value());
                if (decoded instanceof UdpPayload.Udp udp) {
                    byte[] payload = new byte[udp.payload().remaining()];
                    udp.payload().get(payload);
                    deliver(Buffer.buffer(payload));
                } else if (decoded instanceof UdpPayload.TooLong || decoded instanceof UdpPayload.MissingContextId) {
                    close(); // RFC 9298 §5: abort the stream
                    return;
                }
                // UnknownContext: dropped silently (RFC 9298 §5)
            }
            // Skipped (unknown type) and Discarded: nothing to do
        }
    }

    @Override
    protected void release() {
        stream.close();
    }
}
