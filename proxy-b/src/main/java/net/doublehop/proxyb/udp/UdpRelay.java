package net.doublehop.proxyb.udp;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.doublehop.protocol.masque.Capsule;
import net.doublehop.protocol.masque.CapsuleEvent;
import net.doublehop.protocol.masque.CapsuleParser;
import net.doublehop.protocol.masque.UdpPayload;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * One CONNECT-UDP flow (RFC 9298) whose client side is a capsule stream (HTTP/1.1 upgrade; RFC 9297 §3):
 * DATAGRAM capsules with context ID 0 become UDP datagrams to the destination, sent from this flow's own socket
 * on the egress address; datagrams from the destination (only from it) come back as DATAGRAM capsules.
 *
 * <p>Hostile input: unknown capsule types are skipped; a malformed capsule stream, or a DATAGRAM without a
 * whole context ID, or a context-0 payload too long for UDP, ends this flow only (RFC 9297 §3.3, RFC 9298 §5);
 * unknown context IDs are dropped. A flow with no datagram either way for the idle timeout is closed.
 */
public final class UdpRelay {

    private final Vertx vertx;
    private final TunnelEnd client;
    private final DatagramSocket socket;
    private final String destinationHost;
    private final int destinationPort;
    private final long idleNanos;
    private final long openedNanos = System.nanoTime();
    private final Consumer<Tunnel.Summary> onFinish;
    private final CapsuleParser parser = UdpPayload.capsuleParser();
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile long lastActivityNanos = openedNanos;
    private volatile boolean idleTimedOut;
    private long bytesFromClient;
    private long bytesToClient;
    private long timer = -1;

    /**
     * @param socket this flow's UDP socket, bound to the egress address
     * @param destinationHost the resolved, policy-checked destination address, as a literal
     */
    public UdpRelay(Vertx vertx, TunnelEnd client, DatagramSocket socket, String destinationHost, int destinationPort,
            java.time.Duration idleTimeout, Consumer<Tunnel.Summary> onFinish) {
        this.vertx = vertx;
        this.client = client;
        this.socket = socket;
        this.destinationHost = destinationHost;
        this.destinationPort = destinationPort;
        this.idleNanos = idleTimeout.toNanos();
        this.onFinish = onFinish;
    }

    public void start() {
        client.handler(this::fromClient);
        client.endHandler(v -> close());
        client.closeHandler(v -> close());
        client.exceptionHandler(t -> close());
        socket.exceptionHandler(t -> { }); // e.g. ICMP port unreachable: UDP has no connection to fail
        socket.handler(packet -> {
            // Only the destination may answer through this flow: anything else on the port is dropped.
            if (packet.sender().port() != destinationPort || !destinationHost.equals(packet.sender().hostAddress())) {
                return;
            }
            lastActivityNanos = System.nanoTime();
            Buffer udp = packet.data();
            bytesToClient += udp.length();
            // capsule header + context ID 0, then the datagram's own buffer: no re-encoding of the payload
            client.write(Buffer.buffer(UdpPayload.datagramCapsulePrefix(udp.length())).appendBuffer(udp));
        });
        long period = Math.max(1, Math.min(idleNanos / 2_000_000, 10_000));
        timer = vertx.setPeriodic(period, id -> {
            if (System.nanoTime() - lastActivityNanos > idleNanos) {
                idleTimedOut = true;
                close();
            }
        });
    }

    private void fromClient(Buffer data) {
        ByteBuffer in = ByteBuffer.wrap(data.getBytes());
        while (!finished.get()) {
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
                    lastActivityNanos = System.nanoTime();
                    bytesFromClient += payload.length;
                    socket.send(Buffer.buffer(payload), destinationPort, destinationHost);
                } else if (decoded instanceof UdpPayload.TooLong || decoded instanceof UdpPayload.MissingContextId) {
                    close(); // RFC 9298 §5: abort the stream
                    return;
                }
                // UnknownContext: dropped silently (RFC 9298 §5)
            }
            // Skipped (unknown type) and Discarded: nothing to do
        }
    }

    /** Idle timeout, shutdown deadline or either side gone: closes both and reports once. */
    public void close() {
        if (finished.compareAndSet(false, true)) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            socket.close();
            client.close();
            onFinish.accept(new Tunnel.Summary(bytesFromClient, bytesToClient, System.nanoTime() - openedNanos,
                    idleTimedOut));
        }
    }
}
