package net.doublehop.proxyb.flow;

import java.net.InetAddress;
import java.util.List;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.proxyb.egress.EgressPool;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.listen.ProxyExchange;
import net.doublehop.runtime.trace.Traced;
import net.doublehop.runtime.trace.TunnelTrace;

/**
 * The typed per-tunnel state every stage reads and fills in, in flow order (docs/request-flow.md).
 * One instance per request, confined to the request's event loop, so no synchronisation.
 */
public final class TunnelContext implements Traced {

    /** How the caller proved who it is. */
    public enum Caller { MTLS, PRESHARED_KEY, PRIVACY_PASS, ANONYMOUS }

    private final ProxyExchange request;
    private final String protocol;
    private final long startNanos;
    private final TunnelTrace trace;

    private ConnectTarget target;
    private Caller caller;
    private net.doublehop.protocol.privacypass.VerifiedToken token;
    private GeohashHint hint;
    private boolean hintSigned;
    private EgressPool pool;
    private List<InetAddress> destinationAddresses = List.of();
    private TunnelEnd destination;
    private InetAddress egressAddress;
    private long connectedNanos;

    private final String method;

    public TunnelContext(ProxyExchange request, long startNanos) {
        this(request, "connect", startNanos, null);
    }

    /**
     * @param method the metrics label: {@code connect} or {@code connect-udp}
     * @param trace  the tunnel's trace, or null when it is not traced
     */
    public TunnelContext(ProxyExchange request, String method, long startNanos, TunnelTrace trace) {
        this.request = request;
        this.protocol = request.version();
        this.method = method;
        this.startNanos = startNanos;
        this.trace = trace;
        if (trace != null) {
            trace.tag(TunnelTrace.PROTOCOL, protocol).tag(TunnelTrace.METHOD, method);
        }
    }

    /** This tunnel's trace; null when it is not traced. */
    @Override
    public TunnelTrace trace() { return trace; }

    public String method() { return method; }

    public ProxyExchange request() { return request; }
    public String protocol() { return protocol; }
    public long startNanos() { return startNanos; }

    public ConnectTarget target() { return target; }
    void target(ConnectTarget t) { this.target = t; }

    public Caller caller() { return caller; }
    void caller(Caller c) { this.caller = c; }
    /** The Privacy Pass token the caller presented, verified but not yet spent; null for other callers. */
    net.doublehop.protocol.privacypass.VerifiedToken token() { return token; }
    void token(net.doublehop.protocol.privacypass.VerifiedToken t) { this.token = t; }

    /** The verified or accepted geohash, truncated to the configured precision; null when none was sent. */
    public GeohashHint hint() { return hint; }
    public boolean hintSigned() { return hintSigned; }
    void hint(GeohashHint h, boolean signed) { this.hint = h; this.hintSigned = signed; }

    public EgressPool pool() { return pool; }
    void pool(EgressPool p) { this.pool = p; }

    /** Resolved destination addresses that passed the destination policy. */
    public List<InetAddress> destinationAddresses() { return destinationAddresses; }
    void destinationAddresses(List<InetAddress> a) { this.destinationAddresses = List.copyOf(a); }

    /** The connected destination, once dialled: the tunnel's destination end. */
    public TunnelEnd destination() { return destination; }
    public InetAddress egressAddress() { return egressAddress; }
    public long connectedNanos() { return connectedNanos; }
    void udpBound(InetAddress egress, long nanos) {
        this.egressAddress = egress;
        this.connectedNanos = nanos;
    }

    void connected(TunnelEnd socket, InetAddress egress, long nanos) {
        this.destination = socket;
        this.egressAddress = egress;
        this.connectedNanos = nanos;
    }

    /** Label value for metrics: the pool's configured name, never anything the caller sent. */
    public String poolLabel() { return pool == null ? "none" : pool.name(); }
}
