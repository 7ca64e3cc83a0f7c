package net.doublehop.proxya;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.runtime.config.ConfigException;

/** {@code java -jar proxy-a.jar --config FILE}: runs Proxy A until SIGTERM or Ctrl-C, then drains. */
public final class Main {

    static final String USAGE = """
            Usage: java -jar proxy-a.jar --config FILE [--print-jwks]

            Proxy A, the first hop of a double-hop privacy proxy: accepts HTTP CONNECT over HTTP/1.1 and
            HTTP/2 (TLS, ALPN), authenticates the user (Proxy-Authorization: Basic against a bcrypt user
            file, Preshared <key>, or a client certificate), locates the client's address to a reduced-
            precision geohash, signs it (RFC 9421, Ed25519) and opens the tunnel at Proxy B over pooled,
            multiplexed HTTP/2. Proxy B learns the destination, never the user or the client's address.

            Options:
              --config FILE   YAML configuration (every key: docs/configuration.md)
              --print-jwks    print the JWKS Proxy B must trust (geohash.trusted-signers) and exit
              --help          show this help

            Signals: SIGTERM or Ctrl-C stops accepting and drains for limits.shutdown-grace (default 30s).
            Exit codes: 0 normal stop, 1 runtime failure, 2 bad usage or configuration.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = null;
        boolean printJwks = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--print-jwks" -> printJwks = true;
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("proxy-a: --config needs a file name\n");
                        err.print(USAGE);
                        return 2;
                    }
                    config = Path.of(args[++i]);
                }
                default -> {
                    err.println("proxy-a: unknown argument '" + args[i] + "'\n");
                    err.print(USAGE);
                    return 2;
                }
            }
        }
        if (config == null || !Files.isReadable(config)) {
            err.println("proxy-a: " + (config == null ? "--config FILE is required" : "cannot read config file " + config));
            return 2;
        }
        ProxyAConfig cfg;
        try {
            cfg = ProxyAConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println("proxy-a: configuration error: " + e.getMessage());
            return 2;
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
        Vertx vertx = Vertx.vertx();
        ProxyA proxy;
        try {
            proxy = ProxyA.start(vertx, cfg).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            err.println("proxy-a: " + (e instanceof ConfigException ? "configuration error: " : "cannot start: ")
                    + e.getMessage());
            return e instanceof ConfigException ? 2 : 1;
        }
        if (printJwks) {
            out.println(proxy.generatedJwks() == null ? "proxy-a: a configured signing key is used; derive its JWKS "
                    + "from the public key" : proxy.generatedJwks());
            proxy.stop(Duration.ZERO).eventually(vertx::close);
            return 0;
        }
        out.println("proxy-a listening on " + cfg.listen().host() + ":" + proxy.port() + "; upstream "
                + cfg.upstream().host() + ":" + cfg.upstream().port()
                + (proxy.adminPort() > 0 ? "; admin on " + cfg.admin().get().host() + ":" + proxy.adminPort() : ""));
        CountDownLatch stopped = new CountDownLatch(1);
        Duration grace = cfg.limits().shutdownGrace();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("proxy-a: stopping; draining tunnels for up to " + grace.toSeconds() + "s");
            try {
                proxy.stop(grace).eventually(vertx::close).await(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                err.println("proxy-a: shutdown did not finish cleanly: " + e.getClass().getSimpleName());
            }
            stopped.countDown();
        }, "proxy-a-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
