package net.doublehop.runtime.service;

import java.util.Optional;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.TlsSettings;

/**
 * What {@link ProxyServer} needs from either proxy's validated configuration.
 *
 * @param name the program's name in log lines ({@code proxy-a}, {@code proxy-b})
 * @param proxyName the name in {@code Proxy-Status} and {@code Server-Timing} entries
 * @param listenerInstances TCP listener verticles binding the proxy port with SO_REUSEPORT (one per event loop
 *     spreads connections over them); an ephemeral port (0) always gets one, since each bind would get its own
 */
public record ServiceSettings(String name, String proxyName, HostPort listen, TlsSettings tls, Limits limits,
        boolean http3, int listenerInstances, Optional<HostPort> admin, boolean logSensitive) {

    public ServiceSettings {
        listenerInstances = Math.max(1, listenerInstances);
    }
}
