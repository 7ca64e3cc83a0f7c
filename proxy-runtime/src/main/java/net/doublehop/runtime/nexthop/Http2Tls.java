package net.doublehop.runtime.nexthop;

import net.doublehop.runtime.transport.TlsMaterial;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS for an HTTP/2 connection to the next hop on Netty's codec: TLS 1.3 only (both ends are ours), ALPN h2 (or
 * http/1.1),
 * BoringSSL when it loads (as {@link net.doublehop.runtime.transport.TlsEngine} chooses for Vert.x), the next hop's
 * CA, and our client certificate when it wants one. Keys are read by Vert.x's PEM reader, as everywhere else.
 */
public final class Http2Tls {

    private Http2Tls() {
    }

    public static SslContext client(Vertx vertx, Optional<Path> trust, Optional<Path> certificate, Optional<Path> key,
            boolean insecure) {
        return client(vertx, trust, certificate, key, insecure, ApplicationProtocolNames.HTTP_2);
    }

    /**
     * As above with another ALPN protocol: {@code http/1.1} for the local client's HTTP/1.1 connections to Proxy A
     * (one TLS connection per CONNECT).
     */
    public static SslContext client(Vertx vertx, Optional<Path> trust, Optional<Path> certificate, Optional<Path> key,
            boolean insecure, String alpn) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                    .protocols("TLSv1.3")
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            alpn));
            if (!insecure) {
                b.endpointIdentificationAlgorithm("HTTPS");
            }
            TlsMaterial.nextHopTrust(vertx, trust, insecure).ifPresent(b::trustManager);
            TlsMaterial.clientKeys(vertx, certificate, key).ifPresent(b::keyManager);
            return b.build();
        } catch (Exception e) {
            throw new IllegalStateException("upstream HTTP/2: cannot load TLS material: " + e.getMessage(), e);
        }
    }
}
