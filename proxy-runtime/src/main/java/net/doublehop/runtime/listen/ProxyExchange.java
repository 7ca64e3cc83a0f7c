package net.doublehop.runtime.listen;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import javax.net.ssl.SSLSession;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;
import net.doublehop.runtime.relay.CapsuleDatagramEnd;
import net.doublehop.runtime.relay.DatagramEnd;
import net.doublehop.runtime.relay.TunnelEnd;

/**
 * One request to a proxy listener as the request flows see it, whatever HTTP version carried it (the TCP listener's
 * HTTP/1.1 and HTTP/2 codecs, the HTTP/3 listener's): a flow reads the request, then either refuses it
 * ({@link #respond}) or turns it into the client end of a tunnel ({@link #accept}, {@link #acceptDatagrams}).
 * Confined to the request's event loop.
 */
public interface ProxyExchange {

    /**
     * The client left before its request was answered: nobody to answer, nothing wrong with the proxy. Its status,
     * 499 (nginx's "client closed request"), is a metrics label only and never sent.
     */
    ProxyFailure CLIENT_GONE = new ProxyFailure(ProxyErrorType.HTTP_REQUEST_ERROR, 499, "client closed the request");

    /** {@code h1}, {@code h2} or {@code h3}: the metrics label of the client's HTTP version. */
    String version();

    /** True when the tunnel rides one stream of a shared connection (HTTP/2, HTTP/3), not a whole connection. */
    default boolean isStream() {
        return !"h1".equals(version());
    }

    HttpMethod method();

    /** The {@code :protocol} of an extended CONNECT (RFC 8441, RFC 9220), else null. */
    String extendedProtocol();

    /** HTTP/1.1: the request-target; HTTP/2 and HTTP/3: {@code :path} (null on a classic CONNECT). */
    String uri();

    /** HTTP/2 and HTTP/3: {@code :authority} as sent; HTTP/1.1: null (its CONNECT target is the request-target). */
    String authority();

    String header(String name);

    MultiMap headers();

    /** The client's address as a literal (never resolved), or null when the transport has none. */
    String remoteHost();

    /** The client's TLS session, or null on cleartext. */
    SSLSession sslSession();

    /** The client connection this request came on: the key of per-connection limits. */
    Object connection();

    /** Headers of the answer, added to before {@link #respond} or {@link #accept}. */
    MultiMap responseHeaders();

    /** The status answered so far: 200 until a response is written. */
    int status();

    /** True once the answer was written or the request was reset: nothing more may be sent. */
    boolean answered();

    /** Answers with {@code status}, {@link #responseHeaders} and no body, ending the exchange. */
    void respond(int status);

    /**
     * Answers 2xx (101 for an HTTP/1.1 upgrade) with {@link #responseHeaders} and returns the client end of the
     * tunnel; fails with {@link #CLIENT_GONE} when the client went away first.
     */
    Future<TunnelEnd> accept();

    /**
     * {@link #accept} for CONNECT-UDP: the client end as whole UDP payloads. By default they travel as DATAGRAM
     * capsules on the stream; HTTP/3 also carries them as HTTP/3 datagrams.
     */
    default Future<DatagramEnd> acceptDatagrams() {
        return accept().map(CapsuleDatagramEnd::new);
    }

    /** Aborts the request or tunnel towards the client: RST_STREAM on HTTP/2 and HTTP/3, a close on HTTP/1.1. */
    void reset();

    /**
     * Called when the client goes away: before the answer (its stream reset, or its HTTP/1.1 connection closed), so
     * a flow can drop work for nobody; and, on HTTP/2 and HTTP/3, when it resets a stream that became a tunnel after
     * its half-close, which the stream's data end no longer sees.
     */
    void resetHandler(Runnable handler);
}
