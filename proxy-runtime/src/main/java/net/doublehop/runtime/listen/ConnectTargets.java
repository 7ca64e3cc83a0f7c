package net.doublehop.runtime.listen;

import io.vertx.core.http.HttpMethod;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.masque.MasqueUriTemplate;

/** The parse stage both proxies share: only CONNECT is served, and its target must be a valid authority. */
public final class ConnectTargets {

    /** 405 for other methods on the proxy port (RFC 9110 §15.5.6); responders add {@code Allow: CONNECT}. */
    public static final ProxyFailure METHOD_NOT_ALLOWED =
            new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 405, "only CONNECT is served here");

    private ConnectTargets() {
    }

    /** An extended CONNECT (RFC 8441, RFC 9220) for a protocol other than connect-udp, e.g. WebSocket. */
    static final ProxyFailure PROTOCOL_NOT_SERVED = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 501,
            "extended CONNECT protocol not served here");

    public static ConnectTarget parse(ProxyExchange req) {
        if (req.method() != HttpMethod.CONNECT) {
            throw METHOD_NOT_ALLOWED;
        }
        if (req.extendedProtocol() != null) {
            throw PROTOCOL_NOT_SERVED; // a classic CONNECT has no :protocol; this one is not a TCP tunnel
        }
        return ConnectTarget.parse(rawTarget(req));
    }

    static final ProxyFailure NOT_A_UDP_TARGET = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 404,
            "not a CONNECT-UDP URI of this proxy");
    static final ProxyFailure BAD_UDP_TARGET = ProxyFailure.badRequest("malformed CONNECT-UDP target");

    /**
     * CONNECT-UDP (RFC 9298 §3): an extended CONNECT with {@code :protocol connect-udp} on HTTP/2 and HTTP/3, an
     * HTTP/1.1 upgrade to connect-udp; everything else is CONNECT's or refused.
     */
    public static boolean isConnectUdp(ProxyExchange req) {
        if (req.isStream()) {
            return req.method() == HttpMethod.CONNECT && "connect-udp".equals(req.extendedProtocol());
        }
        if (req.method() != HttpMethod.GET) {
            return false;
        }
        String upgrade = req.header("upgrade");
        return upgrade != null && java.util.List.of(upgrade.toLowerCase(java.util.Locale.ROOT).split("\\s*,\\s*"))
                .contains("connect-udp");
    }

    /** The UDP target of a CONNECT-UDP request: its URI matched against the proxy's template (404 / 400). */
    public static ConnectTarget parseUdp(ProxyExchange req, MasqueUriTemplate template) {
        MasqueUriTemplate.Match m = template.match(req.uri());
        if (m instanceof MasqueUriTemplate.Matched matched) {
            return new ConnectTarget(matched.target().host(), matched.target().port());
        }
        throw m instanceof MasqueUriTemplate.NoMatch ? NOT_A_UDP_TARGET : BAD_UDP_TARGET;
    }

    /**
     * HTTP/1.1 carries the target in the request-target (take it from there, not {@code Host}); HTTP/2 and
     * HTTP/3 carry it in {@code :authority}.
     */
    static String rawTarget(ProxyExchange req) {
        if (!req.isStream()) {
            return req.uri();
        }
        String authority = req.authority();
        if (authority == null) {
            throw ProxyFailure.badRequest("CONNECT without :authority");
        }
        return authority;
    }
}
