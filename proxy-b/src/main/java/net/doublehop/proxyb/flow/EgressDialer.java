package net.doublehop.proxyb.flow;

import net.doublehop.runtime.trace.AsyncStage;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import net.doublehop.runtime.vertx.LoopContext;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.proxyb.egress.RendezvousPicker;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.transport.TcpTunnelEnd;

/**
 * Stage 6, dial: connects to the destination from the egress address rendezvous hashing picks for
 * (pool, geohash cell, destination host). IPv6 first when both ends have it, then Happy Eyeballs
 * (RFC 8305 §5): the next address family's attempt starts after a short delay or as soon as the
 * current one fails; the first connection to succeed wins and the rest are closed.
 *
 * <p>Each attempt is a Netty connection on the request's event loop, bound to the egress address (the destination
 * sees that address as the source), with TCP_NODELAY and the configured connect timeout ({@link TcpTunnelEnd}).
 */
public final class EgressDialer implements AsyncStage<TunnelContext, Void> {

    /** RFC 8305 §8 recommends 250 ms as the Connection Attempt Delay. */
    static final long ATTEMPT_DELAY_MS = 250;

    static final ProxyFailure NO_ROUTE = ProxyFailure.of(ProxyErrorType.DESTINATION_IP_UNROUTABLE,
            "egress pool has no address of the destination's family");
    static final ProxyFailure REFUSED =
            ProxyFailure.of(ProxyErrorType.CONNECTION_REFUSED, "destination refused the connection");
    static final ProxyFailure TIMEOUT =
            ProxyFailure.of(ProxyErrorType.CONNECTION_TIMEOUT, "destination did not answer in time");
    static final ProxyFailure UNROUTABLE =
            ProxyFailure.of(ProxyErrorType.DESTINATION_IP_UNROUTABLE, "no route to destination");
    static final ProxyFailure UNAVAILABLE = new ProxyFailure(ProxyErrorType.DESTINATION_UNAVAILABLE, 502,
            "destination unreachable");

    private static final Logger LOG = System.getLogger("proxy.connections");

    private final Vertx vertx;
    private final Duration connectTimeout;

    public EgressDialer(Vertx vertx, Duration connectTimeout) {
        this.vertx = vertx;
        this.connectTimeout = connectTimeout;
    }

    /** A dial plan entry: which destination address, from which egress address. */
    record Attempt(InetAddress destination, InetAddress egress) { }

    @Override
    public Future<Void> apply(TunnelContext ctx) {
        List<Attempt> plan = plan(ctx);
        if (plan.isEmpty()) {
            return Future.failedFuture(NO_ROUTE);
        }
        return new Race(ctx, plan).start();
    }

    /** Orders attempts: IPv6 first if both sides have it, then alternating families (RFC 8305 §4). */
    static List<Attempt> plan(List<InetAddress> egressRanked, List<InetAddress> destinations) {
        Optional<InetAddress> egress6 = egressRanked.stream().filter(a -> a instanceof Inet6Address).findFirst();
        Optional<InetAddress> egress4 = egressRanked.stream().filter(a -> !(a instanceof Inet6Address)).findFirst();
        List<Attempt> v6 = new ArrayList<>();
        List<Attempt> v4 = new ArrayList<>();
        for (InetAddress d : destinations) {
            if (d instanceof Inet6Address) {
                egress6.ifPresent(e -> v6.add(new Attempt(d, e)));
            } else {
                egress4.ifPresent(e -> v4.add(new Attempt(d, e)));
            }
        }
        List<Attempt> out = new ArrayList<>();
        for (int i = 0; i < Math.max(v6.size(), v4.size()); i++) {
            if (i < v6.size()) {
                out.add(v6.get(i));
            }
            if (i < v4.size()) {
                out.add(v4.get(i));
            }
        }
        return out;
    }

    private static List<Attempt> plan(TunnelContext ctx) {
        String cell = ctx.hint() == null ? "" : ctx.hint().geohash();
        List<InetAddress> ranked = RendezvousPicker.rank(ctx.pool(), cell, ctx.target().host());
        return plan(ranked, ctx.destinationAddresses());
    }

    static ProxyFailure classify(Throwable t) {
        if (t instanceof ProxyFailure f) {
            return f;
        }
        if (t instanceof ConnectTimeoutException) {
            return TIMEOUT;
        }
        if (t instanceof NoRouteToHostException) {
            return UNROUTABLE;
        }
        if (t instanceof ConnectException) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("refused")) {
                return REFUSED;
            }
            if (m.contains("timed out")) {
                return TIMEOUT;
            }
            if (m.contains("No route") || m.contains("unreachable")) {
                return UNROUTABLE;
            }
        }
        return UNAVAILABLE;
    }

    /** One Happy Eyeballs race. Confined to the request's event loop. */
    private final class Race {
        private final TunnelContext ctx;
        private final List<Attempt> plan;
        private final LoopContext context = LoopContext.current(vertx);
        private final Promise<Void> result = context.promise();
        private int next;
        private int pending;
        private long delayTimer = -1;
        private ProxyFailure lastFailure = UNAVAILABLE;
        private boolean retriedLocally;

        Race(TunnelContext ctx, List<Attempt> plan) {
            this.ctx = ctx;
            this.plan = plan;
        }

        Future<Void> start() {
            launchNext();
            return result.future();
        }

        private void launchNext() {
            if (delayTimer >= 0) {
                vertx.cancelTimer(delayTimer);
                delayTimer = -1;
            }
            if (next >= plan.size() || result.future().isComplete()) {
                return;
            }
            Attempt attempt = plan.get(next++);
            dial(attempt);
            if (next < plan.size()) {
                delayTimer = vertx.setTimer(ATTEMPT_DELAY_MS, t -> {
                    delayTimer = -1;
                    launchNext();
                });
            }
        }

        private void dial(Attempt attempt) {
            pending++;
            InetSocketAddress to = new InetSocketAddress(attempt.destination(), ctx.target().port());
            InetSocketAddress from = new InetSocketAddress(attempt.egress(), 0);
            TcpTunnelEnd.connect(context, to, from, connectTimeout).onComplete(ar -> {
                pending--;
                if (ar.succeeded()) {
                    won(ar.result(), attempt);
                    return;
                }
                lastFailure = classify(ar.cause());
                LOG.log(Level.DEBUG, "dial attempt failed: {0}", ar.cause().getClass().getName());
                if (lastFailure == UNAVAILABLE && !retriedLocally && !result.future().isComplete()) {
                    // Not the destination's answer (refusal, timeout, no route) but the socket failing under us:
                    // under heavy churn on loopback about 1 in 10,000 connects ends with the channel closed
                    // before it connected. Nothing reached the destination, so one more try is safe.
                    retriedLocally = true;
                    dial(attempt);
                    return;
                }
                if (next < plan.size()) {
                    launchNext();
                } else if (pending == 0) {
                    result.tryFail(lastFailure);
                }
            });
        }

        private void won(TunnelEnd socket, Attempt attempt) {
            if (result.future().isComplete()) {
                socket.close(); // a slower attempt finished after the winner: not needed
                return;
            }
            if (delayTimer >= 0) {
                vertx.cancelTimer(delayTimer);
            }
            ctx.connected(socket, attempt.egress(), System.nanoTime());
            result.complete();
        }
    }
}
