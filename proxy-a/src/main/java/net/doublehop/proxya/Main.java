package net.doublehop.proxya;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.proxya.config.ProxyAConfigLoader;
import net.doublehop.runtime.cli.ServiceCommand;
import net.doublehop.runtime.service.ConfigReloads;
import net.doublehop.runtime.config.ConfigException;

/** {@code java -jar proxy-a.jar --config FILE}: runs Proxy A until SIGTERM or Ctrl-C, then drains. */
public final class Main {

    static final String USAGE = """
            Usage: java -jar proxy-a.jar --config FILE [--print-jwks] [--verbose]
                   java -jar proxy-a.jar tokens --help
                   java -jar proxy-a.jar gateway --help

            Proxy A, the first hop of a double-hop privacy proxy: accepts HTTP CONNECT over HTTP/1.1 and
            HTTP/2 (TLS, ALPN), authenticates the user (Proxy-Authorization: Basic against a bcrypt user
            file, Preshared <key>, or a client certificate), locates the client's address to a reduced-
            precision geohash, signs it (RFC 9421, Ed25519) and opens the tunnel at Proxy B over pooled,
            multiplexed HTTP/2. Proxy B learns the destination, never the user or the client's address.
            With an issuer section in the config it also runs a Privacy Pass issuer (RFC 9578) for its users.

            Options:
              --config FILE   YAML configuration (every key: docs/configuration.md)
              --print-jwks    print the JWKS Proxy B must trust (geohash.trusted-signers) and exit
              --verbose, -v   debug logging: one line per tunnel (no user, client address or target
                              unless logging.log-sensitive-data is on in the config)
              --help          show this help

            Commands:
              tokens          fetch Privacy Pass tokens from an issuer and print them as Proxy-Authorization
                              lines for curl (see 'tokens --help')
              gateway         run the Oblivious HTTP gateway alone, without the proxy (see 'gateway --help';
                              beside the proxy it is the config's 'gateway' section)

            Signals: SIGTERM or Ctrl-C stops accepting and drains for limits.shutdown-grace (default 30s).
            SIGHUP, or a change of the config file or of a file it names (checked every 2s), reloads: users
            (users file, keys, Privacy Pass issuer keys), geolocation, signing, mode, oblivious, the tls
            files and gateway.keys apply to new requests while open tunnels keep running; an invalid
            configuration is refused with a log line naming the key and the old one stays; other changed
            keys are logged as needing a restart (docs/configuration.md, "Reload").
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
        if (args.length > 0 && args[0].equals("gateway")) {
            return net.doublehop.proxya.gateway.GatewayCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length),
                    out, err);
        }
        if (args.length > 0 && args[0].equals("tokens")) {
            return TokensCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        ServiceCommand.Parsed parsed = ServiceCommand.parse("proxy-a", USAGE, Set.of("--print-jwks", "-v", "--verbose"), args,
                out, err);
        if (!(parsed instanceof ServiceCommand.Run cmd)) {
            return ((ServiceCommand.Exit) parsed).code();
        }
        boolean printJwks = cmd.flags().contains("--print-jwks");
        ProxyAConfig cfg;
        try {
            cfg = ProxyAConfigLoader.load(cmd.config());
        } catch (ConfigException e) {
            err.println("proxy-a: configuration error: " + e.getMessage());
            return 2;
        }
        ServiceCommand.configureLogging("proxy-a", cmd.flags().contains("-v") || cmd.flags().contains("--verbose"));
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        ProxyA proxy;
        try {
            proxy = ProxyA.start(vertx, cfg).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            return ServiceCommand.startFailed("proxy-a", vertx, e, err);
        }
        if (printJwks) {
            out.println(proxy.jwks());
            proxy.stop(Duration.ZERO).eventually(vertx::close);
            return 0;
        }
        out.println("proxy-a listening on " + cfg.listen().host() + ":" + proxy.port()
                + ServiceCommand.transport(vertx) + "; upstream "
                + cfg.upstream().host() + ":" + cfg.upstream().port()
                + (proxy.adminPort() > 0 ? "; admin on " + cfg.admin().get().host() + ":" + proxy.adminPort() : "")
                + (proxy.issuerPort() > 0 ? "; issuer on " + cfg.issuer().get().listen().host() + ":"
                        + proxy.issuerPort() : ""));
        // hot reload (SIGHUP, or a change of the config file or a file it names): see ProxyA.reloadable()
        ConfigReloads.startOrWarn(vertx, proxy.metrics(), "proxy-a", cmd.config(), cfg, proxy.reloadable());
        return ServiceCommand.runUntilSignal("proxy-a", vertx, cfg.limits().shutdownGrace(), proxy::stop, out, err);
    }
}
