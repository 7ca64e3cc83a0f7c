package net.doublehop.client;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import net.doublehop.runtime.vertx.LoopContext;
import java.util.Optional;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.runtime.nexthop.NextHopAnswer;

/**
 * Forward mode: each tunnel is a CONNECT (or CONNECT-UDP) naming the destination, sent to Proxy A, which
 * authenticates the user, locates the client and opens the tunnel at B. A sees both the user and the destination.
 */
final class ForwardUpstream implements Upstream {

    private final ProxyAConnection proxyA;
    private final Authorization authorization;
    private final Optional<String> geohash;

    ForwardUpstream(ProxyAConnection proxyA, Authorization authorization, Optional<String> geohash) {
        this.proxyA = proxyA;
        this.authorization = authorization;
        this.geohash = geohash;
    }

    @Override
    public Future<NextHopAnswer> openTcp(LoopContext context, ConnectTarget target, Future<?> cancelled) {
        return headers().compose(h -> proxyA.connect(context, target, h, cancelled));
    }

    @Override
    public Future<NextHopAnswer> openUdp(LoopContext context, ConnectTarget target, Future<?> cancelled) {
        return headers().compose(h -> proxyA.connectUdp(context, target, h, cancelled));
    }

    /** Our credential, and the coarser location asked for (A keeps whichever is coarser, its own or this). */
    private Future<MultiMap> headers() {
        return authorization.next().map(auth -> {
            MultiMap h = MultiMap.caseInsensitiveMultiMap().set(HeaderNames.PROXY_AUTHORIZATION, auth);
            geohash.ifPresent(g -> h.set(HeaderNames.SEC_CH_GEOHASH, g));
            return h;
        });
    }

    @Override
    public void close() {
        proxyA.close();
    }
}
