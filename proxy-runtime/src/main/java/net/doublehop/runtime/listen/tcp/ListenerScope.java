package net.doublehop.runtime.listen.tcp;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import net.doublehop.runtime.vertx.LoopContext;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.listen.ProxyExchange;

/**
 * What every connection of one TCP listener shares: the verticle's context (whose event loop runs the listener's
 * channels, so the flows and their Vert.x futures share one thread with them), the flow, limits and the registry.
 */
record ListenerScope(LoopContext context, Handler<ProxyExchange> flow, TcpListenerConfig config,
        TcpConnections connections) {

    Limits limits() {
        return config.limits();
    }

    String proxyName() {
        return config.proxyName();
    }

    /** The headers every answer starts with: {@code Alt-Svc} when the HTTP/3 listener runs. */
    MultiMap newResponseHeaders() {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        config.altSvc().ifPresent(v -> h.set("alt-svc", v));
        return h;
    }

    /** Hands a request to the flow on the listener's context. */
    void dispatch(ProxyExchange exchange) {
        context.emit(exchange, flow);
    }
}
