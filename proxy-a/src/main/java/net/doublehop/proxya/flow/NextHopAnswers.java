package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ServerTiming;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * Stage 6 of forward mode, confirm: B's success becomes ours, with B's {@code Server-Timing} entry and ours;
 * anything else is passed back as B said it, with our {@code Proxy-Status} entry after B's (RFC 9209 §2).
 */
public final class NextHopAnswers {

    /** B refused A's own credential: the user can do nothing about it, so it is ours to report, as a 502. */
    static final ProxyFailure NEXT_HOP_REFUSED_US = new ProxyFailure(ProxyErrorType.PROXY_CONFIGURATION_ERROR, 502,
            "next hop refused this proxy's credential");

    /** Both ends of a CONNECT-UDP flow through A. */
    public record DatagramLegs(DatagramEnd client, DatagramEnd upstream) { }

    private final String proxyName;

    public NextHopAnswers(String proxyName) {
        this.proxyName = proxyName;
    }

    /** CONNECT: B's 2xx answers the client and the two streams become the tunnel's legs. */
    public Future<Tunnel.Legs> tcp(UserTunnelContext ctx, NextHopAnswer b) {
        String bTiming = b.header(HeaderNames.SERVER_TIMING);
        if (b.status() / 100 == 2) {
            ctx.request().responseHeaders().set(HeaderNames.SERVER_TIMING, timing(bTiming, ctx.startNanos()));
            // The stream to B; the tunnel resets it when it aborts. When the client went away before we could
            // relay, it is reset here: nothing must stay open at B.
            TunnelEnd destination = b.tunnel();
            return ctx.request().accept()
                    .map(client -> new Tunnel.Legs(client, destination))
                    .onFailure(e -> b.abandon());
        }
        b.abandon();
        passRetryAfter(ctx, b);
        return passBack(ctx, b.status(), b.header(HeaderNames.PROXY_STATUS), bTiming);
    }

    /** CONNECT-UDP: B's success (2xx, or 101 over HTTP/1.1) becomes ours, in the client's HTTP version. */
    public Future<DatagramLegs> udp(UserTunnelContext ctx, NextHopAnswer b) {
        String bTiming = b.header(HeaderNames.SERVER_TIMING);
        if (b.status() / 100 == 2 || b.status() == 101) {
            MultiMap resp = ctx.request().responseHeaders();
            if (!ctx.request().isStream()) {
                resp.set("upgrade", "connect-udp").set("connection", "Upgrade");
            }
            resp.set("capsule-protocol", "?1").set(HeaderNames.SERVER_TIMING, timing(bTiming, ctx.startNanos()));
            DatagramEnd toB = b.datagrams();
            return ctx.request().acceptDatagrams()
                    .map(client -> new DatagramLegs(client, toB))
                    .onFailure(e -> toB.close());
        }
        b.abandon();
        passRetryAfter(ctx, b);
        return passBack(ctx, b.status(), b.header(HeaderNames.PROXY_STATUS), bTiming);
    }

    private String timing(String bTiming, long start) {
        String ours = ServerTiming.entry(proxyName, System.nanoTime() - start);
        return bTiming == null ? ours : bTiming + ", " + ours;
    }

    /** B shedding load (503) says when to try again; the user should hear it, as from A itself. */
    private static void passRetryAfter(UserTunnelContext ctx, NextHopAnswer b) {
        String retryAfter = b.header(HeaderNames.RETRY_AFTER);
        if (retryAfter != null && b.status() == 503 && retryAfter.matches("[0-9]{1,9}")) {
            ctx.request().responseHeaders().set(HeaderNames.RETRY_AFTER, retryAfter);
        }
    }

    /** B's refusal, passed back with our Proxy-Status entry after B's; B refusing us (407) is a 502. */
    private <T> Future<T> passBack(UserTunnelContext ctx, int status, String bStatus, String bTiming) {
        if (status == 407) {
            return Future.failedFuture(NEXT_HOP_REFUSED_US);
        }
        String mine = proxyName + "; received-status=" + status;
        ctx.request().responseHeaders().set(HeaderNames.PROXY_STATUS, bStatus == null ? mine : bStatus + ", " + mine)
                .set(HeaderNames.SERVER_TIMING, timing(bTiming, ctx.startNanos()));
        ctx.request().respond(status);
        return Future.failedFuture(new PassedBack());
    }

    /** B's refusal was already written to the client; nothing more to answer. */
    static final class PassedBack extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PassedBack() {
            super(null, null, false, false);
        }
    }
}
