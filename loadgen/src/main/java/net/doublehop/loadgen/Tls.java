package net.doublehop.loadgen;

import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.Enumeration;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/** The client TLS context for the proxy connection. */
final class Tls {

    /** Whether BoringSSL (netty-tcnative) loads here: AES-GCM in C with AES-NI. */
    static final boolean OPENSSL_AVAILABLE = OpenSsl.isAvailable();

    private Tls() { }

    static SslProvider provider(String clientTls) {
        return "jdk".equals(clientTls) || !OPENSSL_AVAILABLE ? SslProvider.JDK : SslProvider.OPENSSL;
    }

    /** For the reports: the TLS library of the TCP connections. */
    static String providerName(String clientTls) {
        return provider(clientTls) == SslProvider.OPENSSL
                ? "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)"
                : "JDK (" + System.getProperty("java.vendor") + " " + System.getProperty("java.version") + ")";
    }

    /** Whether the context is the JDK's engine (then received bytes go to it in heap buffers: HeapInbound). */
    static boolean isJdk(SslContext ssl) {
        return ssl instanceof JdkSslContext;
    }

    /**
     * alpn: "http/1.1" or "h2". The proxy's name is verified (HTTPS rules) unless --proxy-insecure. Without
     * --tls-resume no session is kept for a later connection: BoringSSL's client cache is switched off here, the
     * JDK's (which has no switch) is emptied before each handshake ({@link #forgetSessions}).
     */
    static SslContext client(Options o, String alpn) throws UsageException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(provider(o.clientTls))
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        alpn));
        if (o.proxyInsecure) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            b.endpointIdentificationAlgorithm("HTTPS");
            if (o.proxyCacert != null) {
                try {
                    b.trustManager(o.proxyCacert.toFile());
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--proxy-cacert " + o.proxyCacert + ": not a PEM certificate ("
                            + e.getMessage() + ")");
                }
            }
        }
        if (o.proxyCert != null) {
            try {
                b.keyManager(o.proxyCert.toFile(), o.proxyKey.toFile());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--proxy-cert/--proxy-key: cannot read them as PEM certificate and PKCS#8 key ("
                        + e.getMessage() + ")");
            }
        }
        SslContext ctx;
        try {
            ctx = b.build();
        } catch (SSLException e) {
            throw new UsageException("TLS setup failed: " + e.getMessage());
        }
        if (!o.tlsResume && ctx.sessionContext() instanceof OpenSslSessionContext sc) {
            sc.setSessionCacheEnabled(false);
        }
        return ctx;
    }

    /**
     * Without --tls-resume, before each new JDK handshake: invalidates every session the JDK's client cache holds
     * (a TLS 1.3 server's NewSessionTicket puts one there), so the ClientHello offers none. BoringSSL's cache is
     * off instead ({@link #client}).
     */
    static void forgetSessions(SslContext ssl) {
        SSLSessionContext sc = ssl.sessionContext();
        for (Enumeration<byte[]> ids = sc.getIds(); ids.hasMoreElements(); ) {
            SSLSession s = sc.getSession(ids.nextElement());
            if (s != null) {
                s.invalidate();
            }
        }
    }

    /**
     * The QUIC client context for --proxy-version h3: TLS 1.3 (BoringSSL inside Netty's QUIC codec), ALPN h3, the
     * same trust and client-certificate options as over TCP. The proxy's name is checked (HTTPS rules) unless
     * --proxy-insecure; the connector passes the name to each engine.
     */
    static QuicSslContext quic(Options o) throws UsageException {
        QuicSslContextBuilder b = QuicSslContextBuilder.forClient()
                .applicationProtocols(Http3.supportedApplicationProtocols());
        if (!o.tlsResume) {
            b.sessionCacheSize(0); // Netty's QUIC client cache keeps no session: no ticket is offered
        }
        if (o.proxyInsecure) {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else {
            b.endpointIdentificationAlgorithm("HTTPS");
            if (o.proxyCacert != null) {
                try {
                    b.trustManager(o.proxyCacert.toFile());
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--proxy-cacert " + o.proxyCacert + ": not a PEM certificate ("
                            + e.getMessage() + ")");
                }
            }
        }
        if (o.proxyCert != null) {
            try {
                b.keyManager(o.proxyKey.toFile(), null, o.proxyCert.toFile());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--proxy-cert/--proxy-key: cannot read them as PEM certificate and PKCS#8 key ("
                        + e.getMessage() + ")");
            }
        }
        try {
            return b.build();
        } catch (RuntimeException e) {
            throw new UsageException("QUIC TLS setup failed: " + e.getMessage());
        }
    }
}
