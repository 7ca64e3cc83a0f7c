package net.doublehop.proxyb.flow;

import net.doublehop.runtime.trace.Stage;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.proxyb.egress.PoolSelector;

/** Stage 4, policy: picks the egress pool for the hint (docs/architecture.md §3), or refuses when none fits. */
public final class EgressSelection implements Stage<TunnelContext> {

    static final ProxyFailure NO_POOL = ProxyFailure.denied("no egress pool serves this region");

    private final PoolSelector selector;

    public EgressSelection(PoolSelector selector) {
        this.selector = selector;
    }

    @Override
    public void apply(TunnelContext ctx) {
        GeohashHint hint = ctx.hint();
        ctx.pool(selector.select(hint == null ? null : hint.geohash(), hint == null ? null : hint.country())
                .orElseThrow(() -> NO_POOL));
    }
}
