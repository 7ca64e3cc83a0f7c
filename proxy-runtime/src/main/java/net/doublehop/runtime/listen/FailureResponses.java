package net.doublehop.runtime.listen;

import io.vertx.core.MultiMap;
import net.doublehop.protocol.HeaderNames;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.protocol.ProxyStatus;
import net.doublehop.protocol.ServerTiming;

/**
 * The one way either proxy answers a refused tunnel: the failure's status, an RFC 9209 {@code Proxy-Status}
 * (after the next hop's entries, when it sent some), {@code Server-Timing} (likewise), a challenge on 407,
 * {@code Allow} on 405, and {@code Retry-After} on 503 (RFC 9110 §10.2.3: the failure's own, else
 * {@link #DEFAULT_RETRY_AFTER_SECONDS}), so that a client of a proxy shedding load backs off instead of retrying at once.
 */
public final class FailureResponses {

    /** {@code Retry-After} of a 503 whose failure does not know better (a limit, the next hop down). */
    public static final long DEFAULT_RETRY_AFTER_SECONDS = 1;

    private final String proxyName;
    private final String timingName;
    private final java.util.List<String> challenges;
    private final java.util.function.Consumer<ProxyFailure> onRefusal;

    /**
     * @param timingName the Server-Timing metric name ({@code proxy} for B, as Privacy Proxy sends it)
     * @param challenges the {@code Proxy-Authenticate} values sent with 407, one header line each (a client
     *     picks the scheme it supports, RFC 9110 §11.6.1)
     */
    public FailureResponses(String proxyName, String timingName, java.util.List<String> challenges) {
        this(proxyName, timingName, challenges, f -> { });
    }

    /** @param onRefusal told of every refusal answered (for the refusals metric) */
    public FailureResponses(String proxyName, String timingName, java.util.List<String> challenges,
            java.util.function.Consumer<ProxyFailure> onRefusal) {
        this.proxyName = proxyName;
        this.timingName = timingName;
        this.challenges = java.util.List.copyOf(challenges);
        this.onRefusal = onRefusal;
    }

    public void respond(ProxyExchange exchange, long startNanos, ProxyFailure failure) {
        respond(exchange, startNanos, failure, null, null);
    }

    /**
     * @param upstreamProxyStatus the next hop's {@code Proxy-Status}, passed through first (RFC 9209 §2: entries
     *     are listed from the origin side), or null
     * @param upstreamServerTiming the next hop's {@code Server-Timing}, or null
     */
    public void respond(ProxyExchange exchange, long startNanos, ProxyFailure failure, String upstreamProxyStatus,
            String upstreamServerTiming) {
        if (exchange.answered()) {
            return;
        }
        MultiMap resp = exchange.responseHeaders();
        String mine = ProxyStatus.format(proxyName, failure);
        resp.set(HeaderNames.PROXY_STATUS, upstreamProxyStatus == null ? mine : upstreamProxyStatus + ", " + mine);
        String timing = ServerTiming.entry(timingName, System.nanoTime() - startNanos);
        resp.set(HeaderNames.SERVER_TIMING, upstreamServerTiming == null ? timing : upstreamServerTiming + ", " + timing);
        if (failure.status() == 407) {
            resp.set(HeaderNames.PROXY_AUTHENTICATE, challenges);
        }
        if (failure.status() == 405) {
            resp.set("allow", "CONNECT");
        }
        if (failure.status() == 503) {
            resp.set(HeaderNames.RETRY_AFTER,
                    Long.toString(failure.retryAfterSeconds().orElse(DEFAULT_RETRY_AFTER_SECONDS)));
        }
        exchange.respond(failure.status());
        onRefusal.accept(failure);
    }
}
