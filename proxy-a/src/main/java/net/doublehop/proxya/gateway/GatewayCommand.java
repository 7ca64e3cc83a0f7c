package net.doublehop.proxya.gateway;

import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.bool;
import static net.doublehop.runtime.config.YamlNodes.object;
import static net.doublehop.runtime.config.YamlNodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.doublehop.runtime.cli.ServiceCommand;
import net.doublehop.runtime.config.ConfigException;
import net.doublehop.runtime.config.HostPort;
import net.doublehop.runtime.config.YamlNodes;
import net.doublehop.runtime.service.AdminServer;

/** {@code java -jar proxy-a.jar gateway --config FILE}: the Oblivious HTTP gateway alone, without Proxy A. */
public final class GatewayCommand {

    static final String USAGE = """
            Usage: java -jar proxy-a.jar gateway --config FILE

            The Oblivious HTTP gateway (RFC 9458) alone, without Proxy A: publishes its key configurations
            (application/ohttp-keys) and answers Encapsulated Requests (message/ohttp-req) that an Oblivious
            HTTP relay forwards, decrypting each, sending it to an allowed target origin and encrypting the
            answer. It sees what is asked but never who asks: the relay (Proxy B's ohttp-relay) knows the
            client's address and nothing else.

            The file holds a 'gateway' section (the same keys as in Proxy A's config), an optional 'admin'
            (host:port for /metrics, /health/live, /health/ready) and 'logging.log-sensitive-data':

              gateway:
                listen: 127.0.0.1:7445
                tls: none                       # or {certificate, private-key}; omitted: self-signed
                keys: [{file: gateway-1.pem, key-id: 1}]   # openssl genpkey -algorithm X25519 -out gateway-1.pem
                allowed-targets: [https://api.example.com]
              admin: 127.0.0.1:9445

            Every key: docs/configuration.md ("Oblivious HTTP gateway").

            Options:
              --config FILE   YAML configuration
              --help          show this help

            Signals: SIGTERM or Ctrl-C stops. Exit codes: 0 normal stop, 1 runtime failure, 2 bad usage or
            configuration.
            """;

    /** The standalone file: the gateway section plus the admin port and logging. */
    public record StandaloneConfig(GatewayConfig gateway, Optional<HostPort> admin, boolean logSensitive) { }

    private GatewayCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        ServiceCommand.Parsed parsed = ServiceCommand.parse("gateway", USAGE, Set.of(), args, out, err);
        if (!(parsed instanceof ServiceCommand.Run cmd)) {
            return ((ServiceCommand.Exit) parsed).code();
        }
        StandaloneConfig cfg;
        try {
            cfg = load(cmd.config());
        } catch (ConfigException e) {
            err.println("gateway: configuration error: " + e.getMessage());
            return 2;
        }
        ServiceCommand.configureLogging("proxy-a", false);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayService gateway;
        AdminServer admin = null;
        int adminPort = -1;
        try {
            gateway = new GatewayService(cfg.gateway(), registry, cfg.logSensitive());
            gateway.start(vertx, null).await(60, TimeUnit.SECONDS);
            if (cfg.admin().isPresent()) {
                admin = new AdminServer(vertx, registry::scrape, () -> true, Map.of());
                adminPort = admin.listen(cfg.admin().get()).await(30, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            return ServiceCommand.startFailed("gateway", vertx, e, err);
        }
        out.println("gateway listening on " + cfg.gateway().listen().host() + ":" + gateway.port()
                + " (keys at " + cfg.gateway().keysPath() + ", requests at " + cfg.gateway().gatewayPath() + ")"
                + (adminPort > 0 ? "; admin on " + cfg.admin().get().host() + ":" + adminPort : ""));
        AdminServer adminServer = admin;
        return ServiceCommand.runUntilSignal("gateway", vertx, Duration.ofSeconds(5), grace ->
                gateway.stop(grace).eventually(() -> adminServer == null ? Future.succeededFuture() : adminServer.close()),
                out, err);
    }

    static StandaloneConfig load(Path file) {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
        return parse(yaml, file.toAbsolutePath().getParent());
    }

    /** Parses a standalone gateway file's text; relative paths resolve against {@code baseDir}. */
    public static StandaloneConfig parse(String yaml, Path baseDir) {
        JsonNode root = YamlNodes.parseRoot(yaml);
        try {
            allowOnly(root, "", Set.of("gateway", "admin", "logging"));
            GatewayConfig gateway = GatewayConfigReader.read(root.get("gateway"), baseDir::resolve)
                    .orElseThrow(() -> new IllegalArgumentException("the 'gateway' section is required"));
            JsonNode logging = object(root, "logging");
            allowOnly(logging, "logging.", Set.of("log-sensitive-data"));
            return new StandaloneConfig(gateway, text(root, "admin").map(HostPort::parse),
                    bool(logging, "log-sensitive-data", false));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }
}
