package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import java.util.Optional;
import java.util.function.Supplier;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.signature.SignedGeohash;
import net.doublehop.proxya.upstream.UdpUpstream;
import net.doublehop.proxya.upstream.UpstreamPool;
import net.doublehop.runtime.nexthop.NextHopAnswer;
import net.doublehop.runtime.trace.AsyncStage;

/**
 * Stage 5 of forward mode, connect to B: the CONNECT (or CONNECT-UDP) for the user's target on the pooled
 * connection to B. The request is built from scratch: only the target, A's own credential and the signed geohash
 * go out, so nothing the client sent (its address, its name, its own sec-ch-geohash, forwarding headers) reaches B.
 */
public final class NextHopRequest implements AsyncStage<UserTunnelContext, NextHopAnswer> {

    private final UpstreamPool upstream;
    private final UdpUpstream udpUpstream;
    private final String authorization;

    public NextHopRequest(UpstreamPool upstream, UdpUpstream udpUpstream, Optional<String> presharedKey) {
        this.upstream = upstream;
        this.udpUpstream = udpUpstream;
        this.authorization = presharedKey.map(k -> "Preshared " + k).orElse(null);
    }

    /**
     * B's answer; the request is abandoned (its stream reset) as soon as the client goes away. Each attempt gets
     * its headers anew: a retry (see {@link UpstreamPool}) carries a fresh signature, since B may have bound the
     * first one's nonce to the connection the first attempt died on and would refuse it as replayed.
     */
    @Override
    public Future<NextHopAnswer> apply(UserTunnelContext ctx) {
        boolean[] first = {true};
        Supplier<MultiMap> headers = () -> {
            Optional<SignedGeohash> location = first[0] ? ctx.location() : ctx.resignLocation();
            first[0] = false;
            return headers(location);
        };
        // Whatever carries a UDP flow on each side (capsules over HTTP/1.1 or HTTP/2, HTTP/3 datagrams), A relays
        // whole UDP payloads between them.
        return ctx.udp() ? udpUpstream.open(ctx.target(), headers, ctx.clientGone())
                : upstream.open(ctx.target(), headers, ctx.clientGone());
    }

    /** Only what B needs: our credential and the signed location. Never anything the client sent. */
    private MultiMap headers(Optional<SignedGeohash> location) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        if (authorization != null) {
            h.set(HeaderNames.PROXY_AUTHORIZATION, authorization);
        }
        location.ifPresent(s -> {
            h.set(HeaderNames.SEC_CH_GEOHASH, s.geohash());
            h.set(HeaderNames.SIGNATURE_INPUT, s.signatureInput());
            h.set(HeaderNames.SIGNATURE, s.signature());
        });
        return h;
    }
}
