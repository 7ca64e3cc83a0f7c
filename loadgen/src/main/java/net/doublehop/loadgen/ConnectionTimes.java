package net.doublehop.loadgen;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import java.lang.reflect.Method;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * When a tunnel's connection to the proxy came up and when its TLS handshake finished, and whether that handshake
 * resumed an earlier session: one per connection, kept on the connection's channel (an HTTP/2 or HTTP/3 tunnel's
 * stream finds it on its parent). Times are System.nanoTime(); 0 = did not happen (yet) or not seen.
 */
final class ConnectionTimes {

    static final AttributeKey<ConnectionTimes> KEY = AttributeKey.valueOf("loadgen.connectionTimes");

    final long startNanos;
    /** Wall-clock start: a session created before it was resumed (see {@link #resumed}). */
    final long startMillis;
    volatile long connectedNanos;
    volatile long handshakeNanos;
    volatile boolean resumed;

    ConnectionTimes(long startNanos) {
        this.startNanos = startNanos;
        this.startMillis = System.currentTimeMillis();
    }

    /** The times of the tunnel's connection: on the channel itself (h1, direct) or its parent (an h2/h3 stream). */
    static ConnectionTimes of(Channel ch) {
        for (Channel c = ch; c != null; c = c.parent()) {
            ConnectionTimes t = c.attr(KEY).get();
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** Starts timing a connection: first in its pipeline, it records when the connection came up. */
    static ConnectionTimes watch(Channel ch, long startNanos) {
        ConnectionTimes t = new ConnectionTimes(startNanos);
        ch.attr(KEY).set(t);
        ch.pipeline().addFirst("times", new Connected(t));
        return t;
    }

    /**
     * Behind the TLS handler (which passes its handshake event only to the handlers after it): records the end of
     * the handshake, whether it resumed a session, and counts it.
     */
    static void watchHandshake(Channel ch, ConnectionTimes t, TlsCounts counts) {
        ch.pipeline().addLast("handshake-times", new Handshake(t, counts));
    }

    /** Records channelActive, then leaves the pipeline. */
    private static final class Connected extends ChannelInboundHandlerAdapter {
        private final ConnectionTimes t;

        Connected(ConnectionTimes t) {
            this.t = t;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            t.connectedNanos = System.nanoTime();
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }
    }

    /** Records the end of the TLS handshake, then leaves the pipeline. */
    private static final class Handshake extends ChannelInboundHandlerAdapter {
        private final ConnectionTimes t;
        private final TlsCounts counts;

        Handshake(ConnectionTimes t, TlsCounts counts) {
            this.t = t;
            this.counts = counts;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                t.handshakeNanos = System.nanoTime();
                SslHandler h = ctx.pipeline().get(SslHandler.class);
                if (h != null) {
                    SSLEngine engine = h.engine();
                    t.resumed = resumed(engine, t.startMillis);
                    SSLSession s = engine.getSession();
                    counts.handshake(t.resumed, s.getProtocol(), s.getCipherSuite());
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Per engine class, its package-private {@code isSessionReused()} (null: it has none). */
    private static final ClassValue<Method> REUSED = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                try {
                    Method m = c.getDeclaredMethod("isSessionReused");
                    m.setAccessible(true);
                    return m;
                } catch (NoSuchMethodException e) {
                    // try the superclass
                } catch (RuntimeException e) {
                    return null;
                }
            }
            return null;
        }
    };

    /**
     * Whether the finished handshake resumed a session. BoringSSL says so (SSL_session_reused), which Netty's engines
     * keep package-private: its TCP engine ({@code ReferenceCountedOpenSslEngine}) and its QUIC engine
     * ({@code QuicheQuicSslEngine}) alike. The JDK has no such call, but a resumed session is the cached one, created
     * before this connection started, while a full handshake creates its session during the handshake.
     */
    static boolean resumed(SSLEngine engine, long startMillis) {
        Method reused = REUSED.get(engine.getClass());
        if (reused != null) {
            try {
                return (Boolean) reused.invoke(engine);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // fall through to the creation time
            }
        }
        SSLSession s = engine.getSession();
        return s != null && s.getCreationTime() > 0 && s.getCreationTime() < startMillis;
    }
}
