package net.doublehop.runtime.relay;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import java.util.function.Consumer;

/**
 * One CONNECT-UDP flow (RFC 9298): UDP payloads from the client (capsules or HTTP/3 datagrams: the
 * {@link DatagramEnd}'s business) go to the destination from this flow's own socket on the egress address;
 * datagrams from the destination (only from it) go back to the client. A flow with no datagram either way for the
 * idle timeout is closed. Proxy B's relay to a destination from its egress address, and Proxy A's in oblivious mode
 * to Proxy B's QUIC port.
 */
public final class UdpRelay extends BaseRelay {

    private final Vertx vertx;
    private final DatagramEnd client;
    private final DatagramSocket socket;
    private final String destinationHost;
    private final int destinationPort;
    private final long idleNanos;
    private long timer = -1;

    /**
     * @param socket this flow's UDP socket, bound to the egress address
     * @param destinationHost the resolved, policy-checked destination address, as a literal
     */
    public UdpRelay(Vertx vertx, DatagramEnd client, DatagramSocket socket, String destinationHost, int destinationPort,
            java.time.Duration idleTimeout, Consumer<Tunnel.Summary> onFinish) {
        super(System.nanoTime(), onFinish);
        this.vertx = vertx;
        this.client = client;
        this.socket = socket;
        this.destinationHost = destinationHost;
        this.destinationPort = destinationPort;
        this.idleNanos = idleTimeout.toNanos();
    }

    public void start() {
        client.payloadHandler(this::toDestination);
        client.closeHandler(v -> close());
        socket.exceptionHandler(t -> { }); // e.g. ICMP port unreachable: UDP has no connection to fail
        socket.handler(packet -> {
            // Only the destination may answer through this flow: anything else on the port is dropped.
            if (packet.sender().port() != destinationPort || !destinationHost.equals(packet.sender().hostAddress())) {
                return;
            }
            Buffer udp = packet.data();
            toClient(udp.length());
            client.send(udp);
        });
        long period = Math.max(1, Math.min(idleNanos / 2_000_000, 10_000));
        timer = vertx.setPeriodic(period, id -> {
            if (idleSince(System.nanoTime(), idleNanos)) {
                closeIdle();
            }
        });
    }

    private void toDestination(Buffer payload) {
        if (finished()) {
            return;
        }
        fromClient(payload.length());
        socket.send(payload, destinationPort, destinationHost);
    }

    @Override
    public void abort() {
        close();
    }

    /** Idle timeout, shutdown deadline or either side gone: closes both and reports once. */
    public void close() {
        finish(() -> {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            socket.close();
            client.close();
        });
    }
}
