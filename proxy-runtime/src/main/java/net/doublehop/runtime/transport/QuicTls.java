package net.doublehop.runtime.transport;

import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import java.nio.file.Path;
import java.util.Optional;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import net.doublehop.runtime.config.TlsSettings;

/**
 * TLS 1.3 for the HTTP/3 listener (QUIC always uses it): the TCP listener's certificate and client CA, with ALPN
 * {@code h3}. Keys are loaded by Vert.x's PEM reader, so the two listeners accept exactly the same files.
 */
public final class QuicTls {

    private QuicTls() {
    }

    /** @param selfSigned the certificate made at start when {@code tls} names none; null otherwise */
    public static QuicSslContext server(Vertx vertx, TlsSettings tls, KeyCertOptions selfSigned) {
        try {
            QuicSslContextBuilder b = QuicSslContextBuilder.forServer(TlsMaterial.serverKeys(vertx, tls, selfSigned), null)
                    .applicationProtocols(Http3.supportedApplicationProtocols());
            TlsMaterial.clientCa(vertx, tls).ifPresent(ca -> b.trustManager(ca).clientAuth(ClientAuth.OPTIONAL));
            return b.build();
        } catch (Exception e) {
            throw new IllegalStateException("http3: cannot load the TLS certificate: " + e.getMessage(), e);
        }
    }

    /**
     * TLS for an HTTP/3 connection to the next hop: its CA (or the JDK's trust store), our client certificate when
     * it wants one, ALPN {@code h3}; {@code insecure} skips verification (development only).
     */
    public static QuicSslContext client(Vertx vertx, Optional<Path> trust, Optional<Path> certificate,
            Optional<Path> key, boolean insecure) {
        try {
            QuicSslContextBuilder b = QuicSslContextBuilder.forClient()
                    .applicationProtocols(Http3.supportedApplicationProtocols());
            if (!insecure) {
                b.endpointIdentificationAlgorithm("HTTPS");
            }
            TlsMaterial.nextHopTrust(vertx, trust, insecure).ifPresent(b::trustManager);
            TlsMaterial.clientKeys(vertx, certificate, key).ifPresent(k -> b.keyManager(k, null));
            return b.build();
        } catch (Exception e) {
            throw new IllegalStateException("upstream HTTP/3: cannot load TLS material: " + e.getMessage(), e);
        }
    }
}
