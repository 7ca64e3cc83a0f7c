package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import net.doublehop.runtime.trace.StageRunner;
import net.doublehop.runtime.trace.TunnelTracing;

/**
 * The stages every Proxy A flow shares (docs/request-flow.md, 1–4 and the ends): parse, authenticate the user,
 * admit under the limits, locate and sign; then, after the flow's own way to the next hop, relay and summarize, and
 * the one way a refusal is answered. Forward mode adds the CONNECT to B and B's answer; another mode plugs in its
 * own connect stage between {@link #admitAndLocate} and {@link #tunnels}. Each flow runs its stages through
 * {@link StageRunner}, which traces them when {@code tracing} picked the tunnel; the names below are the spans'.
 */
public record FlowStages(TargetParser parser, UserAuthentication authentication, TunnelAdmission admission,
        LocationSigning location, TunnelStart tunnels, RefusalAnswer refusal, TunnelTracing tracing) {

    static final String PARSE = "parse";
    static final String AUTHENTICATE = "authenticate";
    static final String ADMIT = "admit";
    static final String LOCATE_SIGN = "locate-sign";

    /** Stages 3 and 4: on success the request holds its slots and carries its signed location. */
    public Future<Void> admitAndLocate(UserTunnelContext ctx) {
        return StageRunner.runAsync(ctx, ADMIT, admission).map(v -> {
            StageRunner.run(ctx, LOCATE_SIGN, location);
            return null;
        });
    }
}
