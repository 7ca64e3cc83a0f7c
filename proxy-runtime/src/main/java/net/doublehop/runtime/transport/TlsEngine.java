package net.doublehop.runtime.transport;

import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.TCPSSLOptions;

/**
 * The TLS engine of the proxies' TCP listeners and of A's connections to B: BoringSSL (netty-tcnative) when its
 * native library loads, else the JDK's. On JDK 17 the JDK engine's AES-GCM on Netty's direct buffers made TLS the
 * bottleneck of every tunnel (docs/performance.md).
 */
public final class TlsEngine {

    private TlsEngine() {
    }

    /** True when BoringSSL is in use for new listeners and clients. */
    public static boolean isNative() {
        return OpenSSLEngineOptions.isAvailable();
    }

    public static <T extends TCPSSLOptions> T apply(T options) {
        if (OpenSSLEngineOptions.isAvailable()) {
            options.setSslEngineOptions(new OpenSSLEngineOptions());
        }
        return options;
    }
}
