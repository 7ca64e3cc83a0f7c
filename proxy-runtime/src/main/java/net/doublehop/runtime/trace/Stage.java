package net.doublehop.runtime.trace;

/**
 * A synchronous stage of a proxy's flow (docs/architecture.md §9): reads and fills the per-tunnel context, fails
 * by throwing a {@code ProxyFailure}.
 */
@FunctionalInterface
public interface Stage<C> {
    void apply(C ctx);
}
