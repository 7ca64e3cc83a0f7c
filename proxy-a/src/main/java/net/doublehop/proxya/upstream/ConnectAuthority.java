package net.doublehop.proxya.upstream;

import io.vertx.core.net.HostAndPort;
import net.doublehop.protocol.ConnectTarget;

/**
 * The {@code :authority} of a CONNECT to B. Vert.x's own HostAndPort leaves out a port it considers the
 * default for the request's scheme (80 or 443), which is right for GET and wrong for CONNECT: RFC 9113 §8.5
 * requires host and port. This one always writes both.
 */
record ConnectAuthority(String host, int port) implements HostAndPort {

    static ConnectAuthority of(ConnectTarget target) {
        return new ConnectAuthority(target.host(), target.port());
    }

    @Override
    public String toString(boolean ssl) {
        return toString();
    }

    /** The host as an authority writes it: an IPv6 literal in brackets. */
    String bracketedHost() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    @Override
    public String toString() {
        return bracketedHost() + ":" + port;
    }
}
