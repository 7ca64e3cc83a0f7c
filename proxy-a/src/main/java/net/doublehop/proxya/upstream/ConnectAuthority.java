package net.doublehop.proxya.upstream;

import net.doublehop.protocol.ConnectTarget;

/**
 * The {@code :authority} of a CONNECT to B: host and port always (RFC 9113 §8.5, even 80 or 443, which an
 * authority for GET would leave out), an IPv6 literal in brackets.
 */
record ConnectAuthority(String host, int port) {

    static ConnectAuthority of(ConnectTarget target) {
        return new ConnectAuthority(target.host(), target.port());
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
