package net.doublehop.proxyb.flow;

import net.doublehop.runtime.trace.AsyncStage;
import io.netty.resolver.dns.DnsNameResolverTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import net.doublehop.runtime.vertx.HostResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.proxyb.egress.DestinationPolicy;

/**
 * Stage 5, resolve + guard: B resolves the destination itself (Vert.x's Netty-based resolver: hosts file,
 * then DNS, A and AAAA) and applies the destination policy to every resolved address, so a name that
 * resolves into a refused range is refused exactly like the literal would be. We then dial only the
 * addresses we checked, so there is no re-resolution window for DNS rebinding. An address that is B's own
 * listener is refused as a loop ({@link LoopGuard}) whatever the policy says.
 */
public final class DestinationResolver implements AsyncStage<TunnelContext, Void> {

    static final ProxyFailure PROHIBITED =
            ProxyFailure.of(ProxyErrorType.DESTINATION_IP_PROHIBITED, "destination address is in a refused range");
    static final ProxyFailure DNS_TIMEOUT = ProxyFailure.of(ProxyErrorType.DNS_TIMEOUT, "DNS lookup timed out");
    static final ProxyFailure DNS_ERROR = ProxyFailure.of(ProxyErrorType.DNS_ERROR, "DNS lookup failed");

    private final Vertx vertx;
    private final HostResolver resolver;
    private final DestinationPolicy policy;
    private final Duration timeout;
    private final LoopGuard loops;

    public DestinationResolver(Vertx vertx, HostResolver resolver, DestinationPolicy policy, Duration timeout,
            LoopGuard loops) {
        this.vertx = vertx;
        this.loops = loops;
        this.resolver = resolver;
        this.policy = policy;
        this.timeout = timeout;
    }

    @Override
    public Future<Void> apply(TunnelContext ctx) {
        ConnectTarget target = ctx.target();
        Future<List<InetAddress>> addresses = target.isIpLiteral()
                ? Future.succeededFuture(List.of(literal(target.host())))
                : lookup(target.host());
        return addresses.map(all -> {
            all.forEach(a -> loops.check(a, target.port()));
            List<InetAddress> permitted = all.stream().filter(policy::permits).toList();
            if (permitted.isEmpty()) {
                throw PROHIBITED;
            }
            ctx.destinationAddresses(permitted);
            return null;
        });
    }

    private Future<List<InetAddress>> lookup(String host) {
        Promise<List<InetAddress>> promise = Promise.promise();
        // The resolver has its own query timeout; this guard also bounds retries across servers.
        long timer = vertx.setTimer(timeout.toMillis(), t -> promise.tryFail(DNS_TIMEOUT));
        resolver.resolveAll(host).onComplete(ar -> {
            vertx.cancelTimer(timer);
            if (ar.succeeded()) {
                Set<InetAddress> unique = new LinkedHashSet<>();
                for (InetSocketAddress a : ar.result()) {
                    unique.add(a.getAddress());
                }
                promise.tryComplete(new ArrayList<>(unique));
            } else {
                promise.tryFail(classify(ar.cause()));
            }
        });
        return promise.future();
    }

    static ProxyFailure classify(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof DnsNameResolverTimeoutException) {
                return DNS_TIMEOUT;
            }
        }
        if (t instanceof UnknownHostException && String.valueOf(t.getMessage()).contains("timed out")) {
            return DNS_TIMEOUT;
        }
        return DNS_ERROR;
    }

    /** The target was already validated as an IP literal, so this never touches DNS. */
    private static InetAddress literal(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw ProxyFailure.badRequest("invalid IP literal");
        }
    }
}
