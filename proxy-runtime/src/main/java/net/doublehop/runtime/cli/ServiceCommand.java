package net.doublehop.runtime.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The command-line frame both proxies share: {@code --config FILE}, flags, help, logging, run until SIGTERM. */
public final class ServiceCommand {

    /** What the command line asked for, or the exit code when it already answered (help, usage error). */
    public sealed interface Parsed permits Run, Exit { }

    public record Run(Path config, Set<String> flags) implements Parsed { }

    public record Exit(int code) implements Parsed { }

    private ServiceCommand() {
    }

    public static Parsed parse(String name, String usage, Set<String> knownFlags, String[] args, PrintStream out,
            PrintStream err) {
        Path config = null;
        Set<String> flags = new HashSet<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.print(usage);
                return new Exit(0);
            } else if (a.equals("--config")) {
                if (i + 1 >= args.length) {
                    return usageError(name, "--config needs a file name", usage, err);
                }
                config = Path.of(args[++i]);
            } else if (knownFlags.contains(a)) {
                flags.add(a);
            } else {
                return usageError(name, "unknown argument '" + a + "'", usage, err);
            }
        }
        if (config == null) {
            return usageError(name, "--config FILE is required", usage, err);
        }
        if (!Files.isReadable(config)) {
            err.println(name + ": cannot read config file " + config);
            return new Exit(2);
        }
        return new Run(config, Set.copyOf(flags));
    }

    private static Exit usageError(String name, String what, String usage, PrintStream err) {
        err.println(name + ": " + what + "\n");
        err.print(usage);
        return new Exit(2);
    }

    /** The loggers --verbose turned to FINE, strongly held for the process's life. */
    private static final java.util.List<Logger> VERBOSE_LOGGERS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** One line per record; the proxy's own loggers at DEBUG (JUL FINE) when {@code verbose}. */
    public static void configureLogging(String loggerPrefix, boolean verbose) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
        if (verbose) {
            // held: java.util.logging keeps loggers weakly, and one collected before its first use loses the level
            VERBOSE_LOGGERS.add(Logger.getLogger(loggerPrefix));
            VERBOSE_LOGGERS.add(Logger.getLogger(loggerPrefix + ".tunnels"));
            VERBOSE_LOGGERS.forEach(l -> l.setLevel(Level.FINE));
            for (Handler h : Logger.getLogger("").getHandlers()) {
                h.setLevel(Level.FINE);
            }
        }
    }

    /** What the "listening" line names: the transport and the TLS engine, e.g. {@code  [epoll, boringssl]}. */
    public static String transport(Vertx vertx) {
        return (vertx.isNativeTransportEnabled() ? " [epoll" : " [nio")
                + (net.doublehop.runtime.transport.TlsEngine.isNative() ? ", boringssl]" : ", jdk-tls]");
    }

    /**
     * A proxy that did not start: closes Vert.x, says why on {@code err} and returns the exit code, 2 for a
     * configuration the proxy could not run with, 1 for anything else.
     */
    public static int startFailed(String name, Vertx vertx, Exception e, PrintStream err) {
        vertx.close();
        boolean config = e instanceof net.doublehop.runtime.config.ConfigException;
        err.println(name + ": " + (config ? "configuration error: " : "cannot start: ") + e.getMessage());
        return config ? 2 : 1;
    }

    /** Blocks until SIGTERM/Ctrl-C, then stops the proxy within {@code grace} and closes Vert.x. */
    public static int runUntilSignal(String name, Vertx vertx, Duration grace, Function<Duration, Future<Void>> stop,
            PrintStream out, PrintStream err) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println(name + ": stopping; draining tunnels for up to " + grace.toSeconds() + "s");
            try {
                stop.apply(grace).eventually(vertx::close).await(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                err.println(name + ": shutdown did not finish cleanly: " + e.getClass().getSimpleName());
            }
            stopped.countDown();
        }, name + "-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
