package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Optional;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.signature.SignedGeohash;
import net.doublehop.runtime.listen.ConnectTargets;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.trace.Traced;
import net.doublehop.runtime.trace.TunnelTrace;
import net.doublehop.runtime.trace.TunnelTracing;

/**
 * The typed per-tunnel state Proxy A's stages read and fill in, in flow order (docs/request-flow.md), as
 * {@code TunnelContext} is at Proxy B. One instance per request, confined to the request's event loop.
 */
public final class UserTunnelContext implements Traced {

    private final ProxyExchange request;
    private final String protocol;
    private final boolean udp;
    private final long startNanos;
    private final Promise<Void> clientGone = Promise.promise();
    private final TunnelTrace trace;

    private ConnectTarget target;
    private String user;
    private Optional<GeohashHint> requestedHint = Optional.empty();
    private boolean slotsHeld;
    private Optional<SignedGeohash> location = Optional.empty();
    private java.util.function.Supplier<Optional<SignedGeohash>> resign = Optional::empty;

    private UserTunnelContext(ProxyExchange request, long startNanos, TunnelTrace trace) {
        this.request = request;
        this.protocol = request.version();
        this.udp = ConnectTargets.isConnectUdp(request);
        this.startNanos = startNanos;
        this.trace = trace;
    }

    /**
     * The context of a request just received. Until the tunnel runs, the client giving up (its connection or
     * stream closed) completes {@link #clientGone}, so whatever is under way for it (the request to the next hop)
     * is dropped at once; the tunnel installs its own handler when it starts.
     *
     * @param tracing this proxy's tracing, which decides whether this tunnel is traced
     * @param flow    the flow's name in its trace: {@code forward} or {@code oblivious}
     */
    public static UserTunnelContext of(ProxyExchange request, TunnelTracing tracing, String flow) {
        UserTunnelContext ctx = new UserTunnelContext(request, System.nanoTime(), tracing.begin());
        request.resetHandler(ctx.clientGone::tryComplete);
        if (ctx.trace != null) {
            ctx.trace.tag(TunnelTrace.FLOW, flow).tag(TunnelTrace.PROTOCOL, ctx.protocol)
                    .tag(TunnelTrace.METHOD, ctx.method());
        }
        return ctx;
    }

    public ProxyExchange request() { return request; }
    /** The client's HTTP version label: h1, h2 or h3. */
    public String protocol() { return protocol; }
    /** True for CONNECT-UDP. */
    public boolean udp() { return udp; }
    /** The metrics label of the method: {@code connect} or {@code connect-udp}. */
    public String method() { return udp ? "connect-udp" : "connect"; }
    public long startNanos() { return startNanos; }
    public Future<Void> clientGone() { return clientGone.future(); }
    /** This tunnel's trace; null when it is not traced. */
    @Override
    public TunnelTrace trace() { return trace; }

    /** Where the client asked to go (forward mode: the destination; the request-target as parsed). */
    public ConnectTarget target() { return target; }
    void target(ConnectTarget t) { this.target = t; }

    /** The authenticated user's name (for limits); never logged, never sent on. */
    public String user() { return user; }
    void user(String u) { this.user = u; }

    /** The coarser location the user asked for with its own {@code sec-ch-geohash}, if any. */
    public Optional<GeohashHint> requestedHint() { return requestedHint; }
    void requestedHint(Optional<GeohashHint> h) { this.requestedHint = h; }

    /** True while the proxy's, the connection's and the user's tunnel slots are held for this request. */
    boolean slotsHeld() { return slotsHeld; }
    void slotsHeld(boolean held) { this.slotsHeld = held; }

    /** The client's signed location; empty when the client's address has none (or is unknown). */
    public Optional<SignedGeohash> location() { return location; }
    void location(Optional<SignedGeohash> l) { this.location = l; }

    /**
     * A new signature of the same location (a fresh nonce and validity), which becomes {@link #location}: a request
     * that A sends to B again must not present the first one, which B may have bound to the connection that died
     * (docs/request-flow.md, "Replay").
     */
    public Optional<SignedGeohash> resignLocation() {
        location = resign.get();
        return location;
    }

    void resigner(java.util.function.Supplier<Optional<SignedGeohash>> r) { this.resign = r; }
}
