package net.doublehop.runtime.listen;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.config.Limits;
import net.doublehop.runtime.config.TlsSettings;
import net.doublehop.runtime.transport.TlsEngine;

/** Builds the proxy listener's options from config: TLS + ALPN (h2, http/1.1), mTLS, limits. */
public final class ListenerOptions {

    private ListenerOptions() {
    }

    /** Config check of {@code http3: true}, the same for both proxies. */
    public static void checkHttp3(TlsSettings tls, int listenPort) {
        if (!tls.enabled()) {
            throw new IllegalArgumentException("http3: HTTP/3 is always TLS (QUIC); it cannot be used with tls: none");
        }
        if (listenPort == 0) {
            throw new IllegalArgumentException("http3: needs a fixed listen port: the HTTP/3 listener takes the UDP "
                    + "port of the same number, which Alt-Svc advertises");
        }
    }

    /** The {@code Alt-Svc} value a TCP listener sends to advertise the HTTP/3 one (RFC 7838, RFC 9114 §3.1.1). */
    public static String altSvc(int port) {
        return "h3=\":" + port + "\"; ma=86400";
    }

    public static HttpServerOptions build(String host, int port, TlsSettings tls, KeyCertOptions selfSigned, Limits limits) {
        HttpServerOptions o = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxInitialLineLength(Math.min(limits.maxHeaderSize(), 4096))
                .setIdleTimeout((int) limits.idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setTcpNoDelay(true)
                .setReuseAddress(true)
                .setInitialSettings(new Http2Settings()
                        .setMaxConcurrentStreams(limits.maxConcurrentStreams())
                        .setMaxHeaderListSize(limits.maxHeaderSize())
                        // Tunnels carry bulk data: a larger frame size cuts per-frame overhead (docs/architecture.md §4).
                        .setMaxFrameSize(64 * 1024)
                        .setInitialWindowSize(Http2Windows.STREAM))
                .setHttp2ConnectionWindowSize(Http2Windows.connection(limits.maxConcurrentStreams()))
                .setHttp2RstFloodMaxRstFramePerWindow(limits.maxStreamResetsPer30s())
                .setHttp2RstFloodWindowDuration(30)
                .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
        if (!tls.enabled()) {
            // Explicit `tls: none`, for tests behind a TLS terminator: HTTP/1.1 and h2c (prior knowledge).
            return o.setHttp2ClearTextEnabled(true);
        }
        TlsEngine.apply(o);
        o.setSsl(true)
                .setUseAlpn(true)
                .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
                .setSslHandshakeTimeout(limits.handshakeTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS)
                .setHttp2ClearTextEnabled(false);
        if (tls.mode() == TlsSettings.Mode.FILES) {
            o.setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(tls.certificate().orElseThrow().toString())
                    .setKeyPath(tls.privateKey().orElseThrow().toString()));
        } else {
            o.setKeyCertOptions(selfSigned);
        }
        tls.clientCa().ifPresent(ca -> o
                .setClientAuth(ClientAuth.REQUEST)
                .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        return o;
    }
}
