package net.doublehop.proxya.flow;

import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.runtime.listen.ConnectTargets;
import net.doublehop.runtime.trace.Stage;

/**
 * Stage 1, parse: the CONNECT authority, or the CONNECT-UDP target through the configured URI template
 * (RFC 9298 §2). A malformed target is a 400 {@code http_request_error}.
 */
public final class TargetParser implements Stage<UserTunnelContext> {

    private final MasqueUriTemplate udpTemplate;

    public TargetParser(MasqueUriTemplate udpTemplate) {
        this.udpTemplate = udpTemplate;
    }

    @Override
    public void apply(UserTunnelContext ctx) {
        ctx.target(ctx.udp() ? ConnectTargets.parseUdp(ctx.request(), udpTemplate) : ConnectTargets.parse(ctx.request()));
    }
}
