package net.doublehop.proxya.upstream;

import io.netty.channel.EventLoop;
import io.vertx.core.Future;
import net.doublehop.runtime.vertx.LoopContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import net.doublehop.runtime.nexthop.NextHopConnection;

/**
 * The A→B connections of one protocol (HTTP/2 or HTTP/3), shared by CONNECT and CONNECT-UDP: a few of them, each
 * carrying many streams. A request goes on the least-loaded usable connection while it carries at most
 * {@link #spreadAbove} streams, preferring one on the caller's event loop (its stream then runs on the same thread
 * as the user's side of the tunnel); above that a new connection is opened on the caller's event loop, up to
 * {@code max}; at the limit the least-loaded one takes the stream anyway. A connection that died, got GOAWAY or is
 * at the server's stream limit is no longer chosen; its open streams go on.
 *
 * <p>Methods are called from every event loop, hence the lock; it guards only the lists, never I/O.
 */
final class NextHopConnections<C extends NextHopConnection> {

    private final int max;
    private final int spreadAbove;
    private final Function<LoopContext, Future<C>> connect;
    private final List<C> live = new ArrayList<>();
    /** Connections being opened. A burst waits for them rather than opening one connection per request. */
    private final List<Future<C>> connecting = new ArrayList<>();
    private boolean closed;

    NextHopConnections(int max, int spreadAbove, Function<LoopContext, Future<C>> connect) {
        this.max = Math.max(1, max);
        this.spreadAbove = spreadAbove;
        this.connect = connect;
    }

    /**
     * A connection for one more stream.
     *
     * @param avoid a connection the request just failed on (its retry should go elsewhere), or null
     */
    synchronized Future<C> acquire(LoopContext ctx, C avoid) {
        if (closed) {
            return Future.failedFuture("next-hop connections closed");
        }
        // Closed connections leave; one after GOAWAY stays listed (so close() reaches it) until it closes.
        live.removeIf(c -> !c.isOpen());
        EventLoop loop = ctx.nettyEventLoop();
        List<C> usable = live.stream().filter(c -> c != avoid && c.isUsable()).toList();
        C best = usable.stream()
                .filter(c -> c.activeStreams() < spreadAbove)
                .min(Comparator.<C>comparingInt(c -> c.eventLoop() == loop ? 0 : 1)
                        .thenComparingInt(NextHopConnection::activeStreams))
                .orElse(null);
        if (best != null) {
            return Future.succeededFuture(best);
        }
        if (!connecting.isEmpty()) {
            return connecting.get(0);
        }
        // Only usable connections count against max: one after GOAWAY or at its stream limit takes no new streams.
        if (usable.size() < max) {
            return open(ctx);
        }
        return usable.stream().min(Comparator.comparingInt(NextHopConnection::activeStreams))
                .map(Future::succeededFuture)
                // Every connection refuses new streams (or is the one to avoid): one beyond the limit rather than
                // failing users while the others drain.
                .orElseGet(() -> open(ctx));
    }

    private Future<C> open(LoopContext ctx) {
        Future<C> opening = connect.apply(ctx);
        connecting.add(opening);
        opening.onComplete(ar -> opened(opening, ar.result()));
        return opening;
    }

    private synchronized void opened(Future<C> opening, C conn) {
        connecting.remove(opening);
        if (conn == null) {
            return;
        }
        if (closed) {
            conn.close();
        } else {
            live.add(conn);
        }
    }

    /** Usable connections (the admin's and tests' view). */
    synchronized int live() {
        return (int) live.stream().filter(NextHopConnection::isUsable).count();
    }

    /** Closes every connection (their streams with them): the proxy is stopping. */
    void close() {
        List<C> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(live);
            live.clear();
        }
        all.forEach(NextHopConnection::close);
    }
}
