package net.doublehop.runtime.transport;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import net.doublehop.runtime.config.TlsSettings;

/**
 * The keys and trust every TLS context of the proxies is built from (the TCP and HTTP/3 listeners, the HTTP/2 and
 * HTTP/3 clients to the next hop), read by Vert.x's PEM reader, so all of them accept exactly the same files.
 */
public final class TlsMaterial {

    private TlsMaterial() {
    }

    /** A listener's certificate and key: the configured files, or the certificate made at start. */
    public static KeyManagerFactory serverKeys(Vertx vertx, TlsSettings tls, KeyCertOptions selfSigned)
            throws Exception {
        KeyCertOptions keyCert = tls.mode() == TlsSettings.Mode.FILES
                ? new PemKeyCertOptions()
                        .setCertPath(tls.certificate().orElseThrow().toString())
                        .setKeyPath(tls.privateKey().orElseThrow().toString())
                : selfSigned;
        return keyCert.getKeyManagerFactory(vertx);
    }

    /**
     * The CA a listener checks client certificates against, when one is configured. Client certificates are asked
     * for, not demanded: a caller may authenticate with a credential instead.
     */
    public static Optional<TrustManagerFactory> clientCa(Vertx vertx, TlsSettings tls) throws Exception {
        return tls.clientCa().isPresent()
                ? Optional.of(pemTrust(vertx, tls.clientCa().get()))
                : Optional.empty();
    }

    /**
     * What a client to the next hop trusts: nothing checked when {@code insecure} (development only), else the
     * configured CA, else (empty) the JDK's trust store.
     */
    public static Optional<TrustManagerFactory> nextHopTrust(Vertx vertx, Optional<Path> ca, boolean insecure)
            throws Exception {
        if (insecure) {
            return Optional.of(InsecureTrustManagerFactory.INSTANCE);
        }
        return ca.isPresent() ? Optional.of(pemTrust(vertx, ca.get())) : Optional.empty();
    }

    /** A client certificate for the next hop, when one is configured. */
    public static Optional<KeyManagerFactory> clientKeys(Vertx vertx, Optional<Path> certificate, Optional<Path> key)
            throws Exception {
        if (certificate.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PemKeyCertOptions().setCertPath(certificate.get().toString())
                .setKeyPath(key.orElseThrow().toString()).getKeyManagerFactory(vertx));
    }

    private static TrustManagerFactory pemTrust(Vertx vertx, Path ca) throws Exception {
        return new PemTrustOptions().addCertPath(ca.toString()).getTrustManagerFactory(vertx);
    }
}
