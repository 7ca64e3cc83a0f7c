package net.doublehop.proxyb.flow;

import net.doublehop.runtime.trace.Stage;
import net.doublehop.runtime.listen.ConnectTargets;

/** Stage 1, parse: only CONNECT is served, and its target must be a well-formed authority. */
public final class RequestParser implements Stage<TunnelContext> {

    @Override
    public void apply(TunnelContext ctx) {
        ctx.target(ConnectTargets.parse(ctx.request()));
    }
}
