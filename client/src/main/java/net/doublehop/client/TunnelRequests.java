package net.doublehop.client;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.Locale;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.masque.UdpTarget;
import net.doublehop.runtime.nexthop.Http2ClientConnection;
import net.doublehop.runtime.nexthop.Http3ClientConnection;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.nexthop.NextHopConnection;

/**
 * The client's two requests on a multiplexed connection, to Proxy A or (oblivious mode) to Proxy B inside the
 * tunnel through A: CONNECT (RFC 9113 §8.5, RFC 9114 §4.4) and CONNECT-UDP as extended CONNECT on a proxy's URI
 * template (RFC 9298 §3.4 over HTTP/3, §3.5 over HTTP/2, RFC 8441 / RFC 9220), with capsules allowed.
 */
final class TunnelRequests {

    private TunnelRequests() {
    }

    /** CONNECT {@code target} with {@code headers} on {@code c} (HTTP/2 or HTTP/3). */
    static Future<NextHopAnswer> connect(NextHopConnection c, ConnectTarget target, MultiMap headers,
            Future<?> cancelled) {
        String authority = target.authority();
        if (c instanceof Http3ClientConnection q) {
            Http3Headers h = new DefaultHttp3Headers().method("CONNECT").authority(authority);
            headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            return q.request(h, cancelled).map(a -> a);
        }
        Http2Headers h = new DefaultHttp2Headers().method("CONNECT").authority(authority);
        headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return ((Http2ClientConnection) c).request(h, cancelled).map(a -> a);
    }

    /** CONNECT-UDP to {@code target} on {@code template}'s proxy, over {@code c} (HTTP/2 or HTTP/3). */
    static Future<NextHopAnswer> connectUdp(NextHopConnection c, MasqueUriTemplate template, ConnectTarget target,
            MultiMap headers, Future<?> cancelled) {
        String path = template.expandPathAndQuery(new UdpTarget(target.host(), target.port()));
        String authority = template.authority();
        if (c instanceof Http3ClientConnection q) {
            Http3Headers h = new DefaultHttp3Headers().method("CONNECT").protocol("connect-udp").scheme("https")
                    .authority(authority).path(path).add("capsule-protocol", "?1");
            headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            return q.request(h, cancelled).map(a -> a);
        }
        Http2ClientConnection h2 = (Http2ClientConnection) c;
        if (!h2.extendedConnect()) {
            return Future.failedFuture("the proxy does not allow extended CONNECT (SETTINGS_ENABLE_CONNECT_PROTOCOL)");
        }
        Http2Headers h = new DefaultHttp2Headers().method("CONNECT").scheme("https").authority(authority).path(path);
        h.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
        h.add("capsule-protocol", "?1");
        headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return h2.request(h, cancelled).map(a -> a);
    }
}
