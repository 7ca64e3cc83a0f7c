package net.doublehop.runtime.vertx;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.internal.resolver.NameResolver;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Vert.x's host-name resolver (hosts file, then DNS, on Netty's asynchronous resolver) with its own options. Vert.x
 * offers it publicly only behind its clients, which resolve and connect in one step; Proxy B must see every address
 * before it dials (the destination policy runs on resolved addresses, and only those are dialled), so it uses the
 * resolver directly, through Vert.x's internal {@code NameResolver}.
 */
public final class HostResolver {

    private final NameResolver resolver;

    public HostResolver(Vertx vertx, AddressResolverOptions options) {
        this.resolver = new NameResolver(vertx, options);
    }

    /** Every address of {@code host} (A and AAAA), port 0. */
    public Future<List<InetSocketAddress>> resolveAll(String host) {
        return resolver.resolveAll(host);
    }

    public Future<Void> close() {
        return resolver.close();
    }
}
