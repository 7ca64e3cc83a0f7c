package net.doublehop.runtime.trace;

/** A per-tunnel context (Proxy A's {@code UserTunnelContext}, Proxy B's {@code TunnelContext}) that may be traced. */
public interface Traced {

    /** The tunnel's trace, or null when it is not traced (tracing off, or not in the sample). */
    TunnelTrace trace();
}
