package net.doublehop.runtime.transport;

import io.netty.handler.codec.http3.Http3;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import java.util.Optional;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
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
        KeyCertOptions keyCert = tls.mode() == TlsSettings.Mode.FILES
                ? new PemKeyCertOptions()
                        .setCertPath(tls.certificate().orElseThrow().toString())
                        .setKeyPath(tls.privateKey().orElseThrow().toString())
                : selfSigned;
        try {
            QuicSslContextBuilder b = QuicSslContextBuilder.forServer(keyCert.getKeyManagerFactory(vertx), null)
                    .applicationProtocols(Http3.supportedApplicationProtocols());
            if (tls.clientCa().isPresent()) {
                // Asked for, not demanded, as on TCP: a caller may authenticate with a credential instead.
                b.trustManager(new PemTrustOptions().addCertPath(tls.clientCa().get().toString())
                                .getTrustManagerFactory(vertx))
                        .clientAuth(ClientAuth.OPTIONAL);
            }
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
            if (insecure) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else {
                b.endpointIdentificationAlgorithm("HTTPS");
                if (trust.isPresent()) {
                    b.trustManager(new PemTrustOptions().addCertPath(trust.get().toString()).getTrustManagerFactory(vertx));
                }
            }
            if (certificate.isPresent()) {
                b.keyManager(new PemKeyCertOptions().setCertPath(certificate.get().toString())
                        .setKeyPath(key.orElseThrow().toString()).getKeyManagerFactory(vertx), null);
            }
            return b.build();
        } catch (Exception e) {
            throw new IllegalStateException("upstream HTTP/3: cannot load TLS material: " + e.getMessage(), e);
        }
    }
}
