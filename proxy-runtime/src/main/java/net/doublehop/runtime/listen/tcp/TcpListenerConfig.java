package net.doublehop.runtime.listen.tcp;

import io.vertx.core.net.KeyCertOptions;
import java.util.Optional;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.TlsSettings;

/**
 * What one TCP proxy listener needs from the proxy's config.
 *
 * @param selfSigned the certificate made at start when {@code tls} names none; null otherwise
 * @param altSvc the {@code Alt-Svc} value every response carries (advertising the HTTP/3 listener), if any
 * @param reusePort true when several listener instances bind the same port (SO_REUSEPORT: the kernel spreads
 *     connections over them)
 */
public record TcpListenerConfig(String host, int port, TlsSettings tls, KeyCertOptions selfSigned, Limits limits,
        String proxyName, Optional<String> altSvc, boolean reusePort) {
}
