package net.doublehop.proxya.flow;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.GeohashHint;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ServerTiming;
import net.doublehop.protocol.masque.MasqueUriTemplate;
import net.doublehop.protocol.signature.GeohashSigner;
import net.doublehop.protocol.signature.SignedGeohash;
import net.doublehop.proxya.upstream.UdpUpstream;
import net.doublehop.proxya.upstream.UpstreamPool;
import net.doublehop.runtime.metrics.ProxyMetrics;
import net.doublehop.runtime.relay.DatagramBridge;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.NextHopAnswer;
import net.doublehop.runtime.relay.Tunnel;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.relay.TunnelRegistry;
import net.doublehop.runtime.server.ConnectTargets;
import net.doublehop.runtime.server.FailureResponses;
import net.doublehop.runtime.server.ProxyExchange;
import net.doublehop.runtime.server.TunnelLimiter;

/**
 * Proxy A's forward-mode flow (docs/request-flow.md): parse → authenticate user → limit → locate → sign →
 * CONNECT to B on the pooled connection → pass B's answer back with our own entries → relay → summarize.
 * The request to B is built from scratch: only the target, our credential and the signed geohash go out,
 * so nothing the client sent (its address, its name, its own sec-ch-geohash, forwarding headers) reaches B.
 */
public final class ForwardFlow implements Handler<ProxyExchange> {

    private static final Logger LOG = System.getLogger("proxy-a.tunnels");
    static final ProxyFailure INTERNAL = ProxyFailure.of(ProxyErrorType.PROXY_INTERNAL_ERROR, "unexpected proxy error");
    static final ProxyFailure NEXT_HOP_REFUSED_US = new ProxyFailure(ProxyErrorType.PROXY_CONFIGURATION_ERROR, 502,
            "next hop refused this proxy's credential");

    /** The metrics status of a request whose client left before it was answered; never sent. */
    static final int CLIENT_CLOSED_REQUEST = ProxyExchange.CLIENT_GONE.status();

    private final String proxyName;
    private final UserAuthenticator users;
    private final UserLimiter userLimits;
    private final TunnelLimiter tunnelLimits;
    private final ClientLocator locator;
    private final GeohashSigner signer;
    private final UpstreamPool upstream;
    private final UdpUpstream udpUpstream;
    private final String upstreamAuthorization;
    private final FailureResponses failures;
    private final TunnelRegistry tunnels;
    private final ProxyMetrics metrics;
    private final MasqueUriTemplate udpTemplate;

    public ForwardFlow(String proxyName, UserAuthenticator users, UserLimiter userLimits, TunnelLimiter tunnelLimits,
            ClientLocator locator,
            GeohashSigner signer, UpstreamPool upstream, UdpUpstream udpUpstream, Optional<String> upstreamPresharedKey,
            TunnelRegistry tunnels, ProxyMetrics metrics, MasqueUriTemplate udpTemplate) {
        this.udpTemplate = udpTemplate;
        this.proxyName = proxyName;
        this.users = users;
        this.userLimits = userLimits;
        this.tunnelLimits = tunnelLimits;
        this.locator = locator;
        this.signer = signer;
        this.upstream = upstream;
        this.udpUpstream = udpUpstream;
        this.upstreamAuthorization = upstreamPresharedKey.map(k -> "Preshared " + k).orElse(null);
        this.failures = new FailureResponses(proxyName, proxyName, users.challenges(proxyName));
        this.tunnels = tunnels;
        this.metrics = metrics;
    }

    @Override
    public void handle(ProxyExchange req) {
        long start = System.nanoTime();
        String protocol = req.version();
        String[] user = new String[1];
        ConnectTarget[] target = new ConnectTarget[1];
        boolean udp = ConnectTargets.isConnectUdp(req);
        String method = udp ? "connect-udp" : "connect";
        // The client giving up before the tunnel starts (its connection or stream closed): the request to B is
        // then abandoned at once, its stream reset (see UpstreamPool). Replaced by the tunnel's own handler once
        // it runs.
        Promise<Void> clientGone = Promise.promise();
        req.resetHandler(clientGone::tryComplete);
        Future.<Void>succeededFuture()
                .map(v -> target[0] = udp ? ConnectTargets.parseUdp(req, udpTemplate) : ConnectTargets.parse(req))
                .compose(t -> users.authenticate(req.header(HeaderNames.PROXY_AUTHORIZATION), req.sslSession()))
                .compose(u -> {
                    Optional<GeohashHint> asked = clientRequestedHint(req);
                    // limits.max-tunnels and -per-connection (503), then the user's own (429); both are released
                    // together (see release), so a user refused never holds a proxy slot.
                    tunnelLimits.acquire(req.connection());
                    try {
                        userLimits.acquire(u);
                    } catch (RuntimeException refused) {
                        tunnelLimits.release(req.connection());
                        throw refused;
                    }
                    user[0] = u;
                    MultiMap headers = upstreamHeaders(clientAddress(req), asked);
                    if (udp) {
                        // Whatever carries the flow on each side (capsules over HTTP/1.1 or HTTP/2, HTTP/3
                        // datagrams), A relays whole UDP payloads between them.
                        return udpUpstream.open(target[0], headers, clientGone.future())
                                .compose(b -> answerUdp(req, start, b))
                                .map(legs -> (Runnable) () -> bridge(req, protocol, legs, u));
                    }
                    return upstream.open(target[0], headers, clientGone.future())
                            .compose(b -> answer(req, start, b))
                            .map(legs -> (Runnable) () -> relay(req, protocol, method, legs, u));
                })
                .onSuccess(Runnable::run)
                .onFailure(t -> {
                    if (user[0] != null) {
                        release(req, user[0]);
                    }
                    ProxyFailure f = t instanceof ProxyFailure pf ? pf : INTERNAL;
                    if (f == INTERNAL && !(t instanceof PassedThrough)) {
                        LOG.log(Level.WARNING, "internal error while setting up a tunnel: {0}", t.getClass().getName());
                    }
                    if (!(t instanceof PassedThrough)) {
                        failures.respond(req, start, f);
                    }
                    metrics.requestAnswered(protocol, method, answeredStatus(req, t, clientGone.future()), "none");
                });
    }

    /** Only what B needs: our credential and the signed location. Never anything the client sent. */
    private MultiMap upstreamHeaders(InetAddress client, Optional<GeohashHint> clientRequestedHint) {
        MultiMap h = MultiMap.caseInsensitiveMultiMap();
        if (upstreamAuthorization != null) {
            h.set(HeaderNames.PROXY_AUTHORIZATION, upstreamAuthorization);
        }
        Optional<GeohashHint> hint = client == null ? Optional.empty() : locator.locate(client, clientRequestedHint);
        hint.ifPresent(g -> {
            SignedGeohash s = signer.sign(g);
            h.set(HeaderNames.SEC_CH_GEOHASH, s.geohash());
            h.set(HeaderNames.SIGNATURE_INPUT, s.signatureInput());
            h.set(HeaderNames.SIGNATURE, s.signature());
        });
        return h;
    }

    /** B's 2xx becomes ours (with both Server-Timing entries); anything else is passed back as B said it. */
    private Future<Tunnel.Legs> answer(ProxyExchange req, long start, NextHopAnswer b) {
        String bTiming = b.header(HeaderNames.SERVER_TIMING);
        if (b.status() / 100 == 2) {
            req.responseHeaders().set(HeaderNames.SERVER_TIMING, timing(bTiming, start));
            // The stream to B; the tunnel resets it when it aborts. When the client went away before we could
            // relay, it is reset here: nothing must stay open at B.
            TunnelEnd destination = b.tunnel();
            return req.accept()
                    .map(client -> new Tunnel.Legs(client, destination))
                    .onFailure(e -> b.abandon());
        }
        b.abandon();
        return passBack(req, start, b.status(), b.header(HeaderNames.PROXY_STATUS), bTiming);
    }

    /** The same for CONNECT-UDP: B's success (2xx, or 101 over HTTP/1.1) becomes ours, in the client's version. */
    private Future<DatagramLegs> answerUdp(ProxyExchange req, long start, NextHopAnswer b) {
        String bTiming = b.header(HeaderNames.SERVER_TIMING);
        if (b.status() / 100 == 2 || b.status() == 101) {
            MultiMap resp = req.responseHeaders();
            if (!req.isStream()) {
                resp.set("upgrade", "connect-udp").set("connection", "Upgrade");
            }
            resp.set("capsule-protocol", "?1").set(HeaderNames.SERVER_TIMING, timing(bTiming, start));
            DatagramEnd toB = b.datagrams();
            return req.acceptDatagrams()
                    .map(client -> new DatagramLegs(client, toB))
                    .onFailure(e -> toB.close());
        }
        b.abandon();
        return passBack(req, start, b.status(), b.header(HeaderNames.PROXY_STATUS), bTiming);
    }

    /** Both ends of a CONNECT-UDP flow through A. */
    private record DatagramLegs(DatagramEnd client, DatagramEnd upstream) { }

    private String timing(String bTiming, long start) {
        String ours = ServerTiming.entry(proxyName, System.nanoTime() - start);
        return bTiming == null ? ours : bTiming + ", " + ours;
    }

    /** B's refusal, passed back with our Proxy-Status entry after B's (RFC 9209 §2); B refusing us is a 502. */
    private <T> Future<T> passBack(ProxyExchange req, long start, int status, String bStatus, String bTiming) {
        if (status == 407) {
            return Future.failedFuture(NEXT_HOP_REFUSED_US);
        }
        String mine = proxyName + "; received-status=" + status;
        req.responseHeaders().set(HeaderNames.PROXY_STATUS, bStatus == null ? mine : bStatus + ", " + mine)
                .set(HeaderNames.SERVER_TIMING, timing(bTiming, start));
        req.respond(status);
        return Future.failedFuture(new PassedThrough());
    }

    /** Gives back the slots a tunnel took: the proxy's, its connection's and its user's. */
    private void release(ProxyExchange req, String user) {
        userLimits.release(user);
        tunnelLimits.release(req.connection());
    }

    private void bridge(ProxyExchange req, String protocol, DatagramLegs legs, String user) {
        metrics.requestAnswered(protocol, "connect-udp", req.status(), "none");
        metrics.tunnelOpened();
        DatagramBridge[] self = new DatagramBridge[1];
        self[0] = new DatagramBridge(legs.client(), legs.upstream(), summary -> {
            tunnels.remove(self[0]);
            release(req, user);
            metrics.tunnelClosed(protocol, "connect-udp", summary.bytesFromClient(), summary.bytesToClient());
        });
        tunnels.add(self[0]);
        self[0].start();
    }

    private void relay(ProxyExchange req, String protocol, String method, Tunnel.Legs legs, String user) {
        // What accept() sent: 101 for an HTTP/1.1 upgrade (CONNECT-UDP), 200 for CONNECT and extended CONNECT.
        metrics.requestAnswered(protocol, method, req.status(), "none");
        metrics.tunnelOpened();
        Tunnel[] self = new Tunnel[1];
        self[0] = new Tunnel(legs, req.isStream(), System.nanoTime(),
                firstByte -> metrics.firstByteLatency("none", firstByte),
                summary -> {
                    tunnels.remove(self[0]);
                    release(req, user);
                    metrics.tunnelClosed(protocol, method, summary.bytesFromClient(), summary.bytesToClient());
                });
        tunnels.add(self[0]);
        self[0].start();
        if (req.isStream()) {
            // As at B (ConnectFlow): a client's RST_STREAM after its half-close no longer reaches its data end.
            req.resetHandler(() -> self[0].abort());
        }
    }

    /**
     * The status label of a request that did not become a tunnel: what was sent, or 499 (nginx's "client closed
     * request") when the client went away before any answer, rather than the exchange's untouched default 200.
     */
    static int answeredStatus(ProxyExchange req, Throwable failure, Future<Void> clientGone) {
        boolean gone = failure == ProxyExchange.CLIENT_GONE || clientGone.isComplete() && !(failure instanceof PassedThrough);
        return gone ? CLIENT_CLOSED_REQUEST : req.status();
    }

    /**
     * A user may send {@code sec-ch-geohash} to ask for a coarser location. One that does not parse is refused
     * with 400, as B refuses it: silently sending the precise cell instead would surprise that user.
     */
    private static Optional<GeohashHint> clientRequestedHint(ProxyExchange req) {
        java.util.List<String> values = req.headers().getAll(HeaderNames.SEC_CH_GEOHASH);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw ProxyFailure.badRequest("sec-ch-geohash repeated");
        }
        return Optional.of(GeohashHint.parse(values.get(0)));
    }

    /** The client's address as an InetAddress; Vert.x gives a literal, so this never touches DNS. */
    private static InetAddress clientAddress(ProxyExchange req) {
        try {
            String ip = req.remoteHost();
            return ip == null ? null : InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** B's refusal was already written to the client; nothing more to answer. */
    static final class PassedThrough extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PassedThrough() {
            super(null, null, false, false);
        }
    }
}
