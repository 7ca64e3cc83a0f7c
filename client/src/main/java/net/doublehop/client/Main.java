package net.doublehop.client;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.cli.ServiceCommand;

/**
 * {@code java -jar client.jar [COMMAND] …}: without a command, the local proxy (SOCKS5 and HTTP CONNECT on
 * loopback) that carries a browser's or curl's connections through Proxy A and Proxy B. A first argument naming a
 * command in {@link #COMMANDS} runs that command with the remaining arguments instead.
 */
public final class Main {

    static final String USAGE = """
            Usage: java -jar client.jar --proxy-a URL CREDENTIALS [options]
                   java -jar client.jar COMMAND --help

            The doublehop local client: a SOCKS5 proxy (RFC 1928: CONNECT and UDP ASSOCIATE, no authentication)
            and an HTTP CONNECT proxy, both on loopback, so that browsers and curl use the pair of proxies
            unmodified. Every connection becomes a tunnel through Proxy A and Proxy B; UDP rides CONNECT-UDP.

              curl --socks5-hostname 127.0.0.1:1080 https://example.com/
              curl -x http://127.0.0.1:8118 https://example.com/
              chromium --proxy-server=socks5://127.0.0.1:1080

            Mode:
              --mode forward          (default) each CONNECT names the destination to Proxy A, which opens it
                                      at Proxy B: A learns who you are and where you go, B only where
              --mode oblivious        a connection to Proxy B through A; the CONNECTs for destinations go
                                      to B inside it: A learns who you are, not where (needs --proxy-b
                                      and A's mode: oblivious or both)
              --b-transport T         oblivious mode, how to reach B inside the tunnel through A:
                                      tls (default): a CONNECT to B's host:port, TLS 1.3 + HTTP/2 to B in it;
                                      quic: a CONNECT-UDP to B's port (B's http3: true), QUIC + HTTP/3 to B
                                      over it (A relays the QUIC packets as UDP to B)

            Proxies:
              --proxy-a URL           https://host:port of Proxy A (required)
              --proxy-b URL           https://host:port of Proxy B (oblivious mode)
              --http-version V        the protocol to Proxy A, in either mode: h2 (default: HTTP/2 over
                                      TLS 1.3, one connection, a stream per tunnel), h3 (HTTP/3 over QUIC,
                                      likewise; A needs http3: true), or h1 (HTTP/1.1 over TLS, a connection
                                      per tunnel; UDP as an Upgrade to connect-udp, RFC 9298)
              --udp-template T        Proxy A's CONNECT-UDP URI template (RFC 9298), default
                                      https://A-HOST:A-PORT/.well-known/masque/udp/{target_host}/{target_port}/
              --source-address IP     the local address for connections to Proxy A (multi-homed hosts;
                                      A locates you by it)
              --cacert FILE           PEM CA certificate(s) for the proxies and the issuer (default: Java's)
              --insecure              do not verify their certificates (development only)

            Credentials for Proxy A (one of):
              --user NAME:PASSWORD    HTTP Basic
              --psk KEY               Proxy-Authorization: Preshared KEY
              --privacy-pass-issuer URL --issuer-name NAME --user NAME:PASSWORD
                                      Privacy Pass tokens (RFC 9578, type 2) from A's issuer, fetched as
                                      needed, a few at a time, and spent one per tunnel; the user name and
                                      password go to the issuer only

            Credentials for Proxy B (oblivious mode; never the account):
              tokens from --privacy-pass-issuer as above, one per tunnel, or
              --b-psk KEY             Proxy-Authorization: Preshared KEY at B (a key all clients share; tests)

            Location:
              --geohash GEOHASH-CC    ask for a coarser location than A's lookup gives (sec-ch-geohash, e.g.
                                      xn7-JP); A keeps the coarser of the two

            Listeners (loopback only: they ask for no credentials):
              --socks HOST:PORT       SOCKS5 (default 127.0.0.1:1080; none to turn off; port 0: any)
              --http HOST:PORT        HTTP CONNECT (default 127.0.0.1:8118; none to turn off)

            Other:
              --verbose, -v           log each tunnel's failures (never destinations or credentials)
              --help                  show this help

            Commands (each has its own --help):
              ohttp   send one request through an Oblivious HTTP relay and gateway (RFC 9458) and print
                      the decrypted answer

            Signals: SIGTERM or Ctrl-C stops. Exit codes: 0 normal stop, 1 runtime failure, 2 bad usage.
            """;

    /** Subcommands: a name and its entry point (arguments after the name, out, err) returning the exit code. */
    static final Map<String, Command> COMMANDS = Map.of("ohttp", net.doublehop.client.ohttp.OhttpCommand::run);

    /** A subcommand of the client jar. */
    @FunctionalInterface
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && COMMANDS.containsKey(args[0])) {
            return COMMANDS.get(args[0]).run(Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        ClientOptions options;
        try {
            options = ClientOptions.parse(args);
        } catch (ClientOptions.UsageException e) {
            err.println("client: " + e.getMessage() + "\n");
            err.print(USAGE);
            return 2;
        }
        ServiceCommand.configureLogging("doublehop-client", options.verbose());
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(2));
        LocalClient client;
        try {
            client = LocalClient.start(vertx, options).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            err.println("client: cannot start: " + e.getMessage());
            return 1;
        }
        out.println("client (" + options.mode().name().toLowerCase(java.util.Locale.ROOT) + " mode) via "
                + options.proxyA() + (client.socksPort() > 0 ? "; SOCKS5 on " + options.socks().get().host() + ":"
                + client.socksPort() : "") + (client.httpPort() > 0 ? "; HTTP CONNECT on "
                + options.http().get().host() + ":" + client.httpPort() : ""));
        out.flush();
        return ServiceCommand.runUntilSignal("client", vertx, Duration.ofSeconds(1), g -> client.stop(), out, err);
    }
}
