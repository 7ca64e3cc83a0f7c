package net.doublehop.proxyb.config;

import net.doublehop.runtime.config.HostPort;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Destination name resolution: servers (empty = the system's resolv.conf), query timeout, hosts file. */
public record DnsSettings(List<HostPort> servers, Duration timeout, Optional<Path> hostsFile) {

    public DnsSettings {
        servers = List.copyOf(servers);
    }
}
