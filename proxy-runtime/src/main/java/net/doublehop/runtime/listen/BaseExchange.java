package net.doublehop.runtime.listen;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Locale;
import net.doublehop.runtime.relay.TunnelEnd;
import net.doublehop.runtime.vertx.LoopContext;

/**
 * What every listener's {@link ProxyExchange} shares, whatever HTTP version carried the request: its headers, the
 * answer's headers and status, the rule that a request is answered once (and not at all once its client is gone),
 * and the client-gone report, once, on the listener's context. Subclasses read the request's own fields and write
 * the answer in their framing.
 */
public abstract class BaseExchange implements ProxyExchange {

    protected final LoopContext context;
    private final HttpMethod method;
    private final String uri;
    private final String authority;
    private final String extendedProtocol;
    private final MultiMap headers;
    private final MultiMap responseHeaders;
    private int status = 200;
    private boolean answered;
    private Runnable resetHandler;
    private boolean resetReported;

    /** The request as parsed: see {@link ProxyExchange#uri}, {@link #authority}, {@link #extendedProtocol}. */
    protected BaseExchange(LoopContext context, CharSequence method, CharSequence uri, CharSequence authority,
            CharSequence extendedProtocol, MultiMap headers, MultiMap responseHeaders) {
        this.context = context;
        // A missing method becomes one no flow accepts (405).
        this.method = HttpMethod.valueOf(method == null ? "UNKNOWN" : method.toString());
        this.uri = text(uri);
        this.authority = text(authority);
        String protocol = text(extendedProtocol);
        this.extendedProtocol = protocol == null ? null : protocol.toLowerCase(Locale.ROOT);
        this.headers = headers;
        this.responseHeaders = responseHeaders;
    }

    /** Whether the connection or stream carrying the request is still open. */
    protected abstract boolean open();

    /** Writes a final answer with no body that ends the exchange (a refusal). */
    protected abstract void writeAnswer(int status);

    /** Writes the 2xx (or 101) that starts the tunnel, and returns the tunnel's client end. */
    protected abstract TunnelEnd writeAcceptance(int status);

    /** Aborts the request or tunnel towards the client. */
    protected abstract void abort();

    @Override
    public final HttpMethod method() {
        return method;
    }

    @Override
    public final String extendedProtocol() {
        return extendedProtocol;
    }

    @Override
    public final String uri() {
        return uri;
    }

    @Override
    public final String authority() {
        return authority;
    }

    @Override
    public final String header(String name) {
        return headers.get(name);
    }

    @Override
    public final MultiMap headers() {
        return headers;
    }

    @Override
    public final MultiMap responseHeaders() {
        return responseHeaders;
    }

    @Override
    public final int status() {
        return status;
    }

    /** Sets the status the acceptance will carry (HTTP/1.1: 200 for CONNECT, 101 for an upgrade). */
    protected final void status(int status) {
        this.status = status;
    }

    @Override
    public final boolean answered() {
        return answered || !open();
    }

    /** Whether this side answered or reset the request (unlike {@link #answered()}, not merely "too late to"). */
    public final boolean answerSent() {
        return answered;
    }

    @Override
    public final void respond(int status) {
        if (answered()) {
            return;
        }
        this.status = status;
        answered = true;
        writeAnswer(status);
    }

    @Override
    public final Future<TunnelEnd> accept() {
        if (answered()) {
            return context.failedFuture(CLIENT_GONE);
        }
        answered = true;
        return context.succeededFuture(writeAcceptance(status));
    }

    @Override
    public final void reset() {
        answered = true;
        abort();
    }

    @Override
    public void resetHandler(Runnable handler) {
        this.resetHandler = handler;
    }

    /** The client reset the request or tunnel: nothing more may be answered. */
    protected final void markResetByPeer() {
        answered = true;
        reportReset();
    }

    /** Runs the reset handler once, on the listener's context (at once when already there). */
    protected final void reportReset() {
        Runnable h = resetHandler;
        if (h != null && !resetReported) {
            resetReported = true;
            context.emit(null, v -> h.run());
        }
    }

    private static String text(CharSequence value) {
        return value == null ? null : value.toString();
    }

    /** A peer address as a literal, never resolved; null when the transport has none. */
    protected static String literal(SocketAddress address) {
        return address instanceof InetSocketAddress a && a.getAddress() != null ? a.getAddress().getHostAddress() : null;
    }
}
