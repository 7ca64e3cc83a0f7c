package net.doublehop.proxya.flow;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import java.time.Duration;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.DatagramBridge;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.relay.UdpRelay;

/**
 * Stage 7, relay, and stage 8, summarize when it ends: the tunnel (bytes) or the datagram bridge (UDP payloads)
 * between the client's end and the next hop's, registered for the idle timeout and shutdown; when it ends its slots
 * are given back and it is counted.
 */
public final class TunnelStart {

    private final TunnelRegistry tunnels;
    private final TunnelAdmission admission;
    private final ProxyMetrics metrics;

    public TunnelStart(TunnelRegistry tunnels, TunnelAdmission admission, ProxyMetrics metrics) {
        this.tunnels = tunnels;
        this.admission = admission;
        this.metrics = metrics;
    }

    public void relay(UserTunnelContext ctx, Tunnel.Legs legs) {
        // What accept() sent: 101 for an HTTP/1.1 upgrade (CONNECT-UDP), 200 for CONNECT and extended CONNECT.
        metrics.requestAnswered(ctx.protocol(), ctx.method(), ctx.request().status(), "none");
        metrics.tunnelOpened();
        boolean stream = ctx.request().isStream();
        Tunnel[] self = new Tunnel[1];
        self[0] = new Tunnel(legs, stream, System.nanoTime(),
                firstByte -> metrics.firstByteLatency("none", firstByte),
                summary -> {
                    tunnels.remove(self[0]);
                    admission.release(ctx);
                    metrics.tunnelClosed(ctx.protocol(), ctx.method(), summary.bytesFromClient(), summary.bytesToClient());
                });
        tunnels.add(self[0]);
        self[0].start();
        if (stream) {
            // As at B: a client's RST_STREAM after its half-close no longer reaches its data end.
            ctx.request().resetHandler(() -> self[0].abort());
        }
    }

    public void bridge(UserTunnelContext ctx, NextHopAnswers.DatagramLegs legs) {
        metrics.requestAnswered(ctx.protocol(), ctx.method(), ctx.request().status(), "none");
        metrics.tunnelOpened();
        DatagramBridge[] self = new DatagramBridge[1];
        self[0] = new DatagramBridge(legs.client(), legs.upstream(), summary -> {
            tunnels.remove(self[0]);
            admission.release(ctx);
            metrics.tunnelClosed(ctx.protocol(), ctx.method(), summary.bytesFromClient(), summary.bytesToClient());
        });
        tunnels.add(self[0]);
        self[0].start();
    }

    /**
     * Oblivious mode's CONNECT-UDP: the client's flow relayed to Proxy B's QUIC port from {@code socket}, whole UDP
     * payloads both ways; it closes itself when idle for {@code idleTimeout} (it is not in the registry).
     */
    public void udpRelay(Vertx vertx, UserTunnelContext ctx, DatagramEnd client, DatagramSocket socket, String host,
            int port, Duration idleTimeout) {
        metrics.requestAnswered(ctx.protocol(), ctx.method(), ctx.request().status(), "none");
        metrics.tunnelOpened();
        new UdpRelay(vertx, client, socket, host, port, idleTimeout, summary -> {
            admission.release(ctx);
            metrics.tunnelClosed(ctx.protocol(), ctx.method(), summary.bytesFromClient(), summary.bytesToClient());
        }).start();
    }
}
