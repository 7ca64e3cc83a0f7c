package net.doublehop.proxyb.it;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxyb.ProxyB;
import net.doublehop.proxyb.config.ConfigLoader;
import net.doublehop.proxyb.config.ProxyBConfig;

/**
 * A real Proxy B on a loopback ephemeral port, built from a YAML text the test writes, plus a
 * reporting destination. Pools: tokyo (JP, xn76) egresses from 127.0.0.2, london (GB, gcpv) from
 * 127.0.0.3 and ::1; london is the default.
 */
final class ProxyBFixture implements AutoCloseable {

    static final String PSK = "test-key-0123456789";

    static final String BASE_YAML = """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            auth:
              preshared-keys: [%s]
            egress:
              pools:
                - {name: tokyo, country: JP, geohash: xn76, addresses: [127.0.0.2]}
                - {name: london, country: GB, geohash: gcpv, region: GB-LND, city: London, addresses: [127.0.0.3, "::1"]}
              default-pool: london
            destinations:
              allow: [127.0.0.1/32]
            """.formatted(PSK);

    final Vertx vertx;
    /** Exceptions no handler took: every one is a bug (a leak of an error path), so close() fails on them. */
    final java.util.List<Throwable> unhandled = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** A proxy doing its job logs nothing SEVERE; close() fails otherwise. */
    private final SevereLogGuard severe = new SevereLogGuard();
    final ReportingDestination destination;
    final ProxyB proxy;
    final Path dir;

    ProxyBFixture(String extraYaml) throws Exception {
        this(BASE_YAML, extraYaml);
    }

    ProxyBFixture(String baseYaml, String extraYaml) throws Exception {
        this(baseYaml, extraYaml, false);
    }

    /** @param nativeTransport epoll, as the proxies' Main runs, instead of Vert.x's default NIO */
    ProxyBFixture(String baseYaml, String extraYaml, boolean nativeTransport) throws Exception {
        vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setPreferNativeTransport(nativeTransport));
        vertx.exceptionHandler(unhandled::add);
        dir = Files.createTempDirectory("proxy-b-test");
        destination = new ReportingDestination(vertx);
        ProxyBConfig config = ConfigLoader.parse(baseYaml + extraYaml, dir);
        proxy = ProxyB.start(vertx, config, 2).await(30, TimeUnit.SECONDS);
    }

    /**
     * B with {@code http3: true} as well: HTTP/3 needs a fixed port (it listens on the UDP port of the TCP port's
     * number), so a free one is picked first.
     */
    static ProxyBFixture withHttp3(String extraYaml) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return new ProxyBFixture(BASE_YAML.replace("listen: 127.0.0.1:0", "listen: 127.0.0.1:" + port),
                "http3: true\n" + extraYaml);
    }

    int port() {
        return proxy.port();
    }

    String destHttp() {
        return "127.0.0.1:" + destination.httpPort();
    }

    String destEcho() {
        return "127.0.0.1:" + destination.echoPort();
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop(Duration.ofSeconds(1)).await(10, TimeUnit.SECONDS);
            destination.close();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
        severe.close();
        if (!unhandled.isEmpty()) {
            AssertionError e = new AssertionError("unhandled exceptions in the proxy: " + unhandled);
            unhandled.forEach(e::addSuppressed);
            throw e;
        }
    }
}
