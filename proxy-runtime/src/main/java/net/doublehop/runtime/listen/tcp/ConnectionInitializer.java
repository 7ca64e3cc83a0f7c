package net.doublehop.runtime.listen.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Sets up an accepted connection: TLS (handshake bounded by {@code limits.handshake-timeout}) then ALPN picks
 * HTTP/2 or HTTP/1.1; in cleartext ({@code tls: none}) the first bytes do (the HTTP/2 preface means h2c with
 * prior knowledge). A connection with no traffic either way for {@code limits.idle-timeout} is closed, and one
 * without a complete request header section within {@code limits.request-header-timeout} of the handshake's end
 * (in cleartext: of the accept) too
 * ({@link RequestHeaderDeadline}: a trickle of bytes is traffic, not a request).
 */
final class ConnectionInitializer extends ChannelInitializer<Channel> {

    static final String GUARD = "guard";

    private final ListenerScope scope;
    /** The listener's current TLS context (a reload may replace it for new connections); null: cleartext. */
    private final Supplier<SslContext> tls;

    ConnectionInitializer(ListenerScope scope, Supplier<SslContext> tls) {
        this.scope = scope;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel ch) {
        scope.connections().accepted(ch);
        RequestHeaderDeadline.startOn(ch, scope.limits().requestHeaderTimeout(), tls == null);
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            SslHandler ssl = tls.get().newHandler(ch.alloc());
            ssl.setHandshakeTimeoutMillis(scope.limits().handshakeTimeout().toMillis());
            p.addLast("tls", ssl);
        }
        p.addLast("idle", new IdleStateHandler(0, 0, scope.limits().idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast("protocol", tls != null ? new AlpnSelector(scope) : new CleartextDetector(scope));
        p.addLast(GUARD, ConnectionGuard.INSTANCE);
    }
}
