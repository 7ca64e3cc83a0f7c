package net.doublehop.runtime.service;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import java.time.Duration;

/**
 * Something a proxy runs beside its tunnel listeners, started after them and stopped with them: Proxy A's Privacy
 * Pass issuer today; an Oblivious HTTP relay or gateway plugs in the same way. {@link ProxyServer} starts each in
 * the order given and stops them before the tunnel listeners, so nothing new arrives while tunnels drain.
 */
public interface SideService {

    /**
     * Starts listening.
     *
     * @param selfSigned the certificate the proxy made at start when its {@code tls} names none (a side service on
     *     the same TLS settings serves it too), else null
     */
    Future<Void> start(Vertx vertx, KeyCertOptions selfSigned);

    /** Stops accepting and lets what is in flight finish within {@code grace}. */
    Future<Void> stop(Duration grace);
}
