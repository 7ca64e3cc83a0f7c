package net.doublehop.proxya.flow;

import io.vertx.core.Handler;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.listen.ConnectTargets;
import net.doublehop.runtime.listen.ProxyExchange;

/**
 * {@code mode: both}: a tunnel to a configured Proxy B goes the oblivious way, any other target the forward way
 * (which also answers what does not parse).
 */
public final class FlowSelector implements Handler<ProxyExchange> {

    private final Handler<ProxyExchange> forward;
    private final Handler<ProxyExchange> oblivious;
    private final ProxyAConfig.Oblivious settings;
    private final MasqueUriTemplate udpTemplate;

    public FlowSelector(Handler<ProxyExchange> forward, Handler<ProxyExchange> oblivious,
            ProxyAConfig.Oblivious settings, MasqueUriTemplate udpTemplate) {
        this.forward = forward;
        this.oblivious = oblivious;
        this.settings = settings;
        this.udpTemplate = udpTemplate;
    }

    @Override
    public void handle(ProxyExchange req) {
        ConnectTarget target;
        try {
            target = ConnectTargets.isConnectUdp(req) ? ConnectTargets.parseUdp(req, udpTemplate)
                    : ConnectTargets.parse(req);
        } catch (RuntimeException unparsable) {
            forward.handle(req); // its parse stage gives the answer
            return;
        }
        (settings.isTarget(target) ? oblivious : forward).handle(req);
    }
}
