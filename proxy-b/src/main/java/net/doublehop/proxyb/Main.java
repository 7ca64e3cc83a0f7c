package net.doublehop.proxyb;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.proxyb.config.ConfigLoader;
import net.doublehop.proxyb.config.ProxyBConfig;
import net.doublehop.runtime.cli.ServiceCommand;

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
              --verbose, -v   debug logging: one line per tunnel (no user data unless
                              logging.log-sensitive-data is on in the config)
              --help          show this help

            Signals: SIGTERM or Ctrl-C stops accepting, lets open tunnels drain for limits.shutdown-grace
            (default 30s), then exits. SIGHUP, or a change of the config file or of a file it names (checked
            every 2s), reloads: auth (keys, key file, Privacy Pass issuer keys), geohash (trusted signers),
            egress (pools), destinations and the tls files apply to new requests while open tunnels keep
            running; an invalid configuration is refused with a log line naming the key and the old one
            stays; other changed keys are logged as needing a restart (docs/configuration.md, "Reload").
            Exit codes: 0 normal stop, 1 runtime failure, 2 bad usage or configuration.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        // First: a SIGHUP (a reload) sent while the proxy starts must not end the JVM (its default for SIGHUP).
        net.doublehop.runtime.service.ConfigReloads.catchHangupEarly();
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        ServiceCommand.Parsed parsed = ServiceCommand.parse("proxy-b", USAGE, Set.of("--check", "-v", "--verbose"),
                args, out, err);
        if (!(parsed instanceof ServiceCommand.Run cmd)) {
            return ((ServiceCommand.Exit) parsed).code();
        }
        ServiceCommand.configureLogging("proxy-b", cmd.flags().contains("-v") || cmd.flags().contains("--verbose"));
        ProxyBConfig cfg;
        try {
            cfg = ConfigLoader.load(cmd.config());
        } catch (ConfigException e) {
            err.println("proxy-b: configuration error: " + e.getMessage());
            return 2;
        }
        return serve(cfg, cmd.config(), cmd.flags().contains("--check"), out, err);
    }

    private static int serve(ProxyBConfig cfg, java.nio.file.Path configFile, boolean checkOnly, PrintStream out,
            PrintStream err) {
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true));
        ProxyB proxy;
        try {
            proxy = ProxyB.start(vertx, cfg, loops).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            return ServiceCommand.startFailed("proxy-b", vertx, e, err);
        }
        if (checkOnly) {
            out.println("proxy-b: configuration OK");
            proxy.stop(Duration.ZERO).eventually(vertx::close);
            return 0;
        }
        out.println("proxy-b listening on " + cfg.listen().host() + ":" + proxy.port()
                + ServiceCommand.transport(vertx)
                + (cfg.tls().enabled() ? " (TLS, h2 + http/1.1)" : " (cleartext, h2c + http/1.1)")
                + (proxy.adminPort() > 0 ? "; admin on " + cfg.admin().get().host() + ":" + proxy.adminPort() : ""));
        // hot reload (SIGHUP, or a change of the config file or a file it names): see ProxyB.reloadable(); without
        // it, SIGHUP would stop the JVM
        net.doublehop.runtime.service.ConfigReloads.startOrWarn(vertx, proxy.metrics(), "proxy-b", configFile, cfg,
                proxy.reloadable());
        return ServiceCommand.runUntilSignal("proxy-b", vertx, cfg.limits().shutdownGrace(), proxy::stop, out, err);
    }
}
