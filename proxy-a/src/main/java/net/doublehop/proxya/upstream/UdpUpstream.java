package net.doublehop.proxya.upstream;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http3.DefaultHttp3Headers;
import io.netty.handler.codec.http3.Http3Headers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.util.Locale;
import java.util.function.Supplier;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.masque.UdpTarget;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.nexthop.Http2ClientConnection;
import net.doublehop.runtime.nexthop.Http3ClientConnection;
import net.doublehop.runtime.nexthop.NextHopAnswer;

/**
 * CONNECT-UDP flows from A to B over the upstream protocol, on the same pooled connections as CONNECT
 * ({@link UpstreamPool}): with {@code h3}, extended CONNECT with HTTP/3 datagrams (capsules when B does not take
 * datagrams); with {@code h2}, extended CONNECT with capsules, or, when B's SETTINGS do not allow extended CONNECT,
 * an HTTP/1.1 upgrade on a connection of its own ({@link Http1UdpUpgrade}).
 */
public final class UdpUpstream {

    private final UpstreamPool pool;
    private final Http1UdpUpgrade http1;
    private final String authority;
    private final MasqueUriTemplate template;

    public UdpUpstream(Vertx vertx, ProxyAConfig.Upstream settings, UpstreamPool pool) {
        this.pool = pool;
        this.http1 = new Http1UdpUpgrade(vertx, settings);
        this.template = settings.udpTemplate();
        // :authority of the extended CONNECT: the template's, which names B (RFC 9298 §3.4)
        this.authority = template.authority();
    }

    /**
     * Opens a flow to {@code target} through B, bounded as every request to B is (see {@link UpstreamPool}); when
     * {@code abandoned} completes first, whatever was opened at B is dropped. {@code headers} is asked once per
     * attempt.
     */
    public Future<NextHopAnswer> open(ConnectTarget target, Supplier<MultiMap> headers, Future<?> abandoned) {
        String path = template.expandPathAndQuery(new UdpTarget(target.host(), target.port()));
        return pool.send(new UpstreamPool.Request() {
            @Override
            public Future<? extends NextHopAnswer> send(Http2ClientConnection c, Future<?> cancelled) {
                return c.extendedConnect()
                        ? c.request(h2Head(path, headers.get()), cancelled)
                        : http1.open(target, headers.get(), cancelled);
            }

            @Override
            public Future<? extends NextHopAnswer> send(Http3ClientConnection c, Future<?> cancelled) {
                return c.request(h3Head(path, headers.get()), cancelled);
            }
        }, abandoned);
    }

    private Http3Headers h3Head(String path, MultiMap headers) {
        Http3Headers h = new DefaultHttp3Headers().method("CONNECT").protocol("connect-udp").scheme("https")
                .authority(authority).path(path).add("capsule-protocol", "?1");
        headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return h;
    }

    private Http2Headers h2Head(String path, MultiMap headers) {
        Http2Headers h = new DefaultHttp2Headers().method("CONNECT").scheme("https").authority(authority).path(path);
        h.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "connect-udp");
        h.add("capsule-protocol", "?1");
        headers.forEach(e -> h.add(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        return h;
    }

    /** Closes the HTTP/1.1 client; the pooled connections are the pool's. */
    public Future<Void> close() {
        return http1.close();
    }
}
