package net.doublehop.proxyb.flow;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.doublehop.proxyb.egress.EgressPool;

/**
 * One {@link NetClient} per egress address: Vert.x sets the local (source) address per client, not per
 * connection (DESIGN.md §4). Built once at start; clients are held strongly for the proxy's life.
 */
public final class EgressClients {

    private final Map<InetAddress, NetClient> clients = new HashMap<>();

    public EgressClients(Vertx vertx, List<EgressPool> pools, Duration connectTimeout) {
        for (EgressPool pool : pools) {
            for (InetAddress address : pool.addresses()) {
                clients.computeIfAbsent(address, a -> vertx.createNetClient(new NetClientOptions()
                        .setLocalAddress(a.getHostAddress())
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                        .setTcpNoDelay(true)
                        .setReuseAddress(true)));
            }
        }
    }

    public NetClient forAddress(InetAddress egress) {
        NetClient client = clients.get(egress);
        if (client == null) {
            throw new IllegalStateException("no client for a configured egress address");
        }
        return client;
    }
}
