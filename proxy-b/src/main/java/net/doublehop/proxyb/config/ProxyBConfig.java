package net.doublehop.proxyb.config;

import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.config.Limits;

import java.util.List;
import java.util.Optional;
import net.doublehop.geo.Cidr;
import net.doublehop.proxyb.egress.EgressPool;

/**
 * Proxy B's whole configuration, validated once at load ({@link ConfigLoader}) and immutable after.
 * Every key, with its default, is documented in {@code docs/configuration.md}.
 */
public record ProxyBConfig(
        HostPort listen,
        String proxyName,
        TlsSettings tls,
        AuthSettings auth,
        GeohashSettings geohash,
        List<EgressPool> pools,
        Optional<String> defaultPool,
        boolean bindCheck,
        List<Cidr> destinationAllow,
        DnsSettings dns,
        Optional<HostPort> admin,
        Limits limits,
        boolean logSensitive,
        boolean http3,
        net.doublehop.protocol.masque.MasqueUriTemplate udpTemplate,
        Optional<net.doublehop.proxyb.ohttp.RelayConfig> ohttpRelay,
        net.doublehop.runtime.store.StoreSettings store,
        net.doublehop.runtime.trace.TracingSettings tracing) {

    public ProxyBConfig {
        pools = List.copyOf(pools);
        destinationAllow = List.copyOf(destinationAllow);
    }
}
