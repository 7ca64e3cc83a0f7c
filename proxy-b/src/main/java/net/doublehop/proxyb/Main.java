package net.doublehop.proxyb;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.proxyb.config.ConfigLoader;
import net.doublehop.proxyb.config.ProxyBConfig;

/** {@code java -jar proxy-b.jar --config FILE}: runs Proxy B until SIGTERM or Ctrl-C, then drains. */
public final class Main {

    static final String USAGE = """
            Usage: java -jar proxy-b.jar --config FILE [--check]

            Proxy B, the second hop of a double-hop privacy proxy (or a single-hop MASQUE proxy):
            accepts HTTP CONNECT over HTTP/1.1 and HTTP/2 (TLS, ALPN), authenticates the caller
            (Proxy-Authorization: Preshared <key>, or an mTLS client certificate), reads and verifies
            the sec-ch-geohash hint and its RFC 9421 signature, and connects to the destination from
            an egress address of the pool registered for that region.

            Options:
              --config FILE   YAML configuration (every key: docs/configuration.md)
              --check         validate the configuration (including egress bind tests) and exit
              --verbose       debug logging: one line per tunnel (no user data unless
                              logging.log-sensitive-data is on in the config)
              --help          show this help

            Signals: SIGTERM or Ctrl-C stops accepting, lets open tunnels drain for limits.shutdown-grace
            (default 30s), then exits.
            Exit codes: 0 normal stop, 1 runtime failure, 2 bad usage or configuration.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = null;
        boolean check = false;
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--check" -> check = true;
                case "-v", "--verbose" -> verbose = true;
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("proxy-b: --config needs a file name\n");
                        err.print(USAGE);
                        return 2;
                    }
                    config = Path.of(args[++i]);
                }
                default -> {
                    err.println("proxy-b: unknown argument '" + args[i] + "'\n");
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        if (config == null) {
            err.println("proxy-b: --config FILE is required\n");
            err.print(USAGE);
            return 2;
        }
        if (!Files.isReadable(config)) {
            err.println("proxy-b: cannot read config file " + config);
            return 2;
        }
        configureLogging(verbose);
        ProxyBConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println("proxy-b: configuration error: " + e.getMessage());
            return 2;
        }
        return serve(cfg, check, out, err);
    }

    /** One line per record, and the proxy's own loggers at DEBUG (JUL FINE) when asked. */
    private static void configureLogging(boolean verbose) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        if (verbose) {
            java.util.logging.Logger.getLogger("proxy-b").setLevel(java.util.logging.Level.FINE);
            java.util.logging.Logger.getLogger("proxy-b.tunnels").setLevel(java.util.logging.Level.FINE);
            for (java.util.logging.Handler h : root.getHandlers()) {
                h.setLevel(java.util.logging.Level.FINE);
            }
        }
    }

    private static int serve(ProxyBConfig cfg, boolean checkOnly, PrintStream out, PrintStream err) {
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        ProxyB proxy;
        try {
            proxy = ProxyB.start(vertx, cfg, loops).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            boolean config = e instanceof ConfigException;
            err.println("proxy-b: " + (config ? "configuration error: " : "cannot start: ") + e.getMessage());
            return config ? 2 : 1;
        }
        if (checkOnly) {
            out.println("proxy-b: configuration OK");
            proxy.stop(Duration.ZERO).eventually(vertx::close);
            return 0;
        }
        out.println("proxy-b listening on " + cfg.listen().host() + ":" + proxy.port()
                + (cfg.tls().enabled() ? " (TLS, h2 + http/1.1)" : " (cleartext, h2c + http/1.1)")
                + (proxy.adminPort() > 0 ? "; admin on " + cfg.admin().get().host() + ":" + proxy.adminPort() : ""));
        CountDownLatch stopped = new CountDownLatch(1);
        Duration grace = cfg.limits().shutdownGrace();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("proxy-b: stopping; draining tunnels for up to " + grace.toSeconds() + "s");
            try {
                proxy.stop(grace).eventually(vertx::close).await(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                err.println("proxy-b: shutdown did not finish cleanly: " + e.getClass().getSimpleName());
            }
            stopped.countDown();
        }, "proxy-b-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
