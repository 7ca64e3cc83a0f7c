package net.doublehop.runtime.listen.tcp;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.transport.TlsMaterial;

/**
 * TLS of the TCP listener: the configured certificate (or the self-signed one), ALPN {@code h2} then
 * {@code http/1.1}, and, with a client CA, client certificates asked for but not demanded (a caller may
 * authenticate with a credential instead). BoringSSL when its native library loads (TlsEngine), else the JDK's
 * engine. Keys are read by Vert.x's PEM reader, so every listener accepts exactly the same files.
 */
final class TcpTls {

    private TcpTls() {
    }

    static SslContext server(Vertx vertx, TlsSettings tls, KeyCertOptions selfSigned) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(TlsMaterial.serverKeys(vertx, tls, selfSigned))
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    // RFC 9113 §9.2.2: HTTP/2 over TLS 1.2 only with AEAD + ephemeral key exchange suites.
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
            // Asked for, not demanded: a caller may authenticate with a credential instead.
            TlsMaterial.clientCa(vertx, tls).ifPresent(ca -> b.trustManager(ca).clientAuth(ClientAuth.OPTIONAL));
            return b.build();
        } catch (Exception e) {
            throw new IllegalStateException("tls: cannot load the TLS certificate: " + e.getMessage(), e);
        }
    }
}
