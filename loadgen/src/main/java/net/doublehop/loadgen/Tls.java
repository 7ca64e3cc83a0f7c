package net.doublehop.loadgen;

import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import javax.net.ssl.SSLException;

/** The client TLS context for the proxy connection. */
final class Tls {

    /** BoringSSL (netty-tcnative) where it loads: AES-GCM in C with AES-NI. Otherwise the JDK's engine. */
    static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

    private Tls() { }

    static String providerName() {
        return PROVIDER == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ", netty-tcnative)" : "JDK";
    }

    /** alpn: "http/1.1" or "h2". The proxy's name is verified (HTTPS rules) unless --proxy-insecure. */
    static SslContext client(Options o, String alpn) throws UsageException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(PROVIDER)
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
        try {
            return b.build();
        } catch (SSLException e) {
            throw new UsageException("TLS setup failed: " + e.getMessage());
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
