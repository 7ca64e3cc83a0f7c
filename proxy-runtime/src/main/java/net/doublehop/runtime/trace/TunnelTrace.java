package net.doublehop.runtime.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import net.doublehop.protocol.ProxyFailure;

/**
 * The spans of one traced tunnel: the root "tunnel" span from the request's arrival to the tunnel's end (or its
 * refusal), a child span per stage ({@link StageRunner}) and a "relay" child while bytes flow.
 *
 * <p>Privacy: attributes set with {@link #tag} are bounded values that identify nobody (HTTP version, method,
 * status, RFC 9209 error type, pool name, byte counts); {@link #sensitive} attributes (user, client address,
 * destination, geohash) are kept only when {@code logging.log-sensitive-data} is on. Exceptions are never
 * recorded: their messages may embed addresses.
 */
public final class TunnelTrace {

    static final String ROOT = "tunnel";
    static final String RELAY = "relay";

    public static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("proxy.protocol");
    public static final AttributeKey<String> METHOD = AttributeKey.stringKey("proxy.method");
    public static final AttributeKey<String> FLOW = AttributeKey.stringKey("proxy.flow");
    public static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    public static final AttributeKey<String> ERROR = AttributeKey.stringKey("proxy.error");
    public static final AttributeKey<String> POOL = AttributeKey.stringKey("proxy.pool");
    public static final AttributeKey<String> CALLER = AttributeKey.stringKey("proxy.caller");
    public static final AttributeKey<Boolean> GEOHASH_SIGNED = AttributeKey.booleanKey("proxy.geohash.signed");
    public static final AttributeKey<Boolean> LOCATED = AttributeKey.booleanKey("proxy.located");
    public static final AttributeKey<Long> BYTES_FROM_CLIENT = AttributeKey.longKey("proxy.bytes_from_client");
    public static final AttributeKey<Long> BYTES_TO_CLIENT = AttributeKey.longKey("proxy.bytes_to_client");
    public static final AttributeKey<Boolean> IDLE_TIMEOUT = AttributeKey.booleanKey("proxy.idle_timeout");

    /** Only with {@code logging.log-sensitive-data}. */
    public static final AttributeKey<String> USER = AttributeKey.stringKey("user.name");
    public static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    public static final AttributeKey<String> DESTINATION_ADDRESS = AttributeKey.stringKey("server.address");
    public static final AttributeKey<Long> DESTINATION_PORT = AttributeKey.longKey("server.port");
    public static final AttributeKey<String> EGRESS_ADDRESS = AttributeKey.stringKey("proxy.egress.address");
    public static final AttributeKey<String> GEOHASH = AttributeKey.stringKey("proxy.geohash");

    private final Tracer tracer;
    private final Span tunnel;
    private final Context parent;
    private final boolean sensitive;
    private Span relay;

    TunnelTrace(Tracer tracer, Span tunnel, boolean sensitive) {
        this.tracer = tracer;
        this.tunnel = tunnel;
        this.parent = Context.root().with(tunnel);
        this.sensitive = sensitive;
    }

    /** A bounded attribute of the tunnel that identifies nobody. */
    public <T> TunnelTrace tag(AttributeKey<T> key, T value) {
        if (value != null) {
            tunnel.setAttribute(key, value);
        }
        return this;
    }

    /** True when {@link #sensitive} attributes are kept ({@code logging.log-sensitive-data}). */
    public boolean keepsSensitive() {
        return sensitive;
    }

    /** An attribute naming the user, the client, the destination or a location: dropped unless allowed. */
    public <T> TunnelTrace sensitive(AttributeKey<T> key, T value) {
        if (sensitive && value != null) {
            tunnel.setAttribute(key, value);
        }
        return this;
    }

    /** A stage's span, a child of the tunnel's, started now. */
    Span startStage(String name) {
        return tracer.spanBuilder(name).setParent(parent).startSpan();
    }

    /** Ends a stage's span; a failure sets its status (the RFC 9209 error type, or the exception's class). */
    static void endStage(Span stage, Throwable failure) {
        if (failure != null) {
            String reason = reason(failure);
            stage.setAttribute(ERROR, reason);
            stage.setStatus(StatusCode.ERROR, reason);
        }
        stage.end();
    }

    /** The tunnel is up (answered {@code status}): the "relay" span runs until {@link #closed}. */
    public void opened(int status) {
        tunnel.setAttribute(STATUS, (long) status);
        relay = tracer.spanBuilder(RELAY).setParent(parent).startSpan();
    }

    /** No tunnel: answered {@code status}; the root ends with an error status naming {@code errorType}. */
    public void refused(int status, String errorType) {
        tunnel.setAttribute(STATUS, (long) status);
        String reason = errorType == null ? "refused" : errorType;
        tunnel.setAttribute(ERROR, reason);
        tunnel.setStatus(StatusCode.ERROR, reason);
        tunnel.end();
    }

    /** The tunnel ended after relaying these byte counts: the relay span and the root end. */
    public void closed(long bytesFromClient, long bytesToClient, boolean idleTimedOut) {
        Span r = relay;
        if (r != null) {
            r.setAttribute(BYTES_FROM_CLIENT, bytesFromClient);
            r.setAttribute(BYTES_TO_CLIENT, bytesToClient);
            r.setAttribute(IDLE_TIMEOUT, idleTimedOut);
            r.end();
        }
        tunnel.setAttribute(BYTES_FROM_CLIENT, bytesFromClient);
        tunnel.setAttribute(BYTES_TO_CLIENT, bytesToClient);
        tunnel.end();
    }

    /** What a failure is called in a span: its RFC 9209 error type, never its message. */
    private static String reason(Throwable failure) {
        return failure instanceof ProxyFailure f ? f.type().token() : failure.getClass().getSimpleName();
    }
}
