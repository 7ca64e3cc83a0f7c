package net.doublehop.runtime.listen.tcp;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * After the TLS handshake: HTTP/2 when the client chose {@code h2}, else HTTP/1.1 (also when it offered no ALPN).
 * A failed handshake is a client's problem, not the proxy's: a DEBUG line, never Netty's WARN.
 */
final class AlpnSelector extends ApplicationProtocolNegotiationHandler {

    private final ListenerScope scope;

    AlpnSelector(ListenerScope scope) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.scope = scope;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        RequestHeaderDeadline.of(ctx.channel()).arm(); // the handshake is done: the request is due from now
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            Http2Connection.install(ctx.channel(), scope);
        } else {
            Http1ServerHandler.install(ctx.channel(), scope);
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionGuard.logQuietly("TLS handshake failed", cause);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionGuard.logQuietly("connection error", cause);
        ctx.close();
    }
}
