package net.doublehop.runtime.relay;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * The client end of a CONNECT-UDP flow (RFC 9298) as a relay sees it: whole UDP payloads in and out, whatever
 * carries them — DATAGRAM capsules on the request stream (HTTP/1.1, HTTP/2, and HTTP/3 as a fallback) or HTTP/3
 * datagrams (RFC 9297). Hostile input is this end's business: what cannot be a UDP payload ends the flow or is
 * dropped, as the RFCs say, before a relay sees it.
 */
public interface DatagramEnd {

    /** One UDP payload (context ID 0) from the client per call. */
    void payloadHandler(Handler<Buffer> handler);

    /** The flow is over from the client's side: it left, or sent something that ends the flow. Called once. */
    void closeHandler(Handler<Void> handler);

    /** Sends one UDP payload to the client; may be dropped under pressure, as UDP may be. */
    void send(Buffer payload);

    /** Ends the flow towards the client. Safe to call more than once. */
    void close();
}
