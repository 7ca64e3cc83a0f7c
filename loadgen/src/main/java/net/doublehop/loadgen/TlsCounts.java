package net.doublehop.loadgen;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The client's TLS handshakes over TCP during the measurement: how many, how many resumed, what was negotiated. */
final class TlsCounts {
    private final LongAdder handshakes = new LongAdder();
    private final LongAdder resumed = new LongAdder();
    private volatile String protocol;
    private volatile String cipher;

    void handshake(boolean wasResumed, String protocol, String cipher) {
        handshakes.increment();
        if (wasResumed) {
            resumed.increment();
        }
        this.protocol = protocol;
        this.cipher = cipher;
    }

    /** End of the warm-up: count from here. */
    void reset() {
        handshakes.reset();
        resumed.reset();
    }

    void results(Options o, Map<String, Object> totals, List<String> summary) {
        long n = handshakes.sum();
        if (n == 0 && protocol == null) {
            return;
        }
        long r = resumed.sum();
        totals.put("tlsHandshakes", n);
        totals.put("tlsResumed", r);
        totals.put("tlsProtocol", protocol);
        totals.put("tlsCipher", cipher);
        summary.add(String.format(Locale.ROOT, "  TLS          %s, %s %s; %d handshake%s, %d resumed (%s)",
                !o.direct && o.proxyVersion.equals("h3") ? "BoringSSL in Netty's QUIC codec"
                        : Tls.providerName(o.clientTls), protocol, cipher, n, n == 1 ? "" : "s", r,
                o.tlsResume ? "--tls-resume" : "no session offered"));
    }
}
