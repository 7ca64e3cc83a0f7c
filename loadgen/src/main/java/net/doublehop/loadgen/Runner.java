package net.doublehop.loadgen;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs one load test: sets up the connector and workload, samples once a second, stops, reports. */
final class Runner {

    private Runner() { }

    static int run(Options o, PrintStream out, PrintStream err) throws UsageException, InterruptedException {
        return run(o, out, err, false);
    }

    /** ctrlC: on SIGINT/SIGTERM, end the run early and still print the summary and write the reports. */
    static int run(Options o, PrintStream out, PrintStream err, boolean ctrlC)
            throws UsageException, InterruptedException {
        LoopbackGuard.check(o);
        boolean h3 = !o.direct && o.proxyVersion.equals("h3");
        SslContext ssl = o.direct
                ? (o.directTls ? Tls.client(o, "http/1.1") : null)
                : (!o.proxyTls || h3 ? null : Tls.client(o, o.proxyVersion.equals("h2") ? "h2" : "http/1.1"));
        QuicSslContext quic = h3 ? Tls.quic(o) : null;
        String title = title(o);
        String startedAt = Instant.now().toString();
        EventLoopGroup group = Transport.group(o.threads, "loadgen");
        Stats stats = new Stats();
        Connector connector = Connectors.create(o, group, ssl, quic);
        Workloads.Workload w = Workloads.create(o, connector, group, stats);
        CountDownLatch reported = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            interrupted.set(true);
            w.finished.countDown();
            try {
                reported.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "loadgen-interrupt");
        if (ctrlC) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            return run(o, out, err, group, stats, connector, w, title, startedAt, interrupted);
        } finally {
            reported.countDown();
            if (ctrlC) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down (Ctrl-C): the hook has waited for this report
                }
            }
        }
    }

    private static int run(Options o, PrintStream out, PrintStream err, EventLoopGroup group, Stats stats,
                           Connector connector, Workloads.Workload w, String title, String startedAt,
                           AtomicBoolean interrupted) throws InterruptedException {
        double elapsed;
        WarmUp settled = new WarmUp();
        CpuCost cpu = new CpuCost(o.pids);
        CpuCost.Snapshot cpuFrom = o.warmup.isZero() ? cpu.take(stats) : null;
        CpuCost.Snapshot cpuTo;
        try {
            w.start();
            if (!o.warmup.isZero()) {
                double warm = warmUp(o, err, w, stats, settled);
                progress(o, err, stats, stats.peek(warm), "warm-up ");
                w.measureFromNow();
                connector.measureFromNow();
                cpuFrom = cpu.take(stats);
                if (!o.quiet) {
                    err.println();
                }
            }
            elapsed = phase(o, err, w, stats, o.duration.toNanos(), "");
            cpuTo = cpu.take(stats);
            stats.stillOpeningAtEnd = stats.opening.get();
            w.stop();
        } finally {
            connector.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        Stats.Sample last = stats.sample(elapsed);
        if (!o.quiet) {
            progress(o, err, stats, last, "");
            err.println();
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        Map<String, LogLinearHistogram> latencies = new LinkedHashMap<>();
        List<String> summary = new ArrayList<>();
        w.results(elapsed, totals, latencies, summary);
        connector.results(totals, summary);
        cpu.report(o.workload, cpuFrom, cpuTo, totals, summary);
        if (!o.warmup.isZero() && o.jitSettle) {
            totals.put("warmupExtendedMs", settled.extendedMillis);
            if (settled.extendedMillis > 0) {
                summary.add(String.format(Locale.ROOT, "  warm-up      %s, then %s more until the generator's JIT "
                        + "compiler settled%s", human(o.warmup.toMillis()), human(settled.extendedMillis),
                        settled.settled ? "" : " (it had not settled at the limit)"));
            }
        }
        if (interrupted.get()) {
            summary.add(0, String.format(Locale.ROOT, "  interrupted  after %.1f s (the figures cover that time)", elapsed));
            totals.put("interrupted", true);
        }
        Report r = new Report(o.describe(), title, startedAt, stats, w.seriesKey, w.seriesLabel, totals, latencies,
                summary);
        out.print(r.text());
        out.flush();
        try {
            if (o.json != null) {
                write(o.json, Json.write(r.toJson()));
                out.println("  json         " + o.json);
            }
            if (o.html != null) {
                write(o.html, Html.render(r));
                out.println("  html         " + o.html);
            }
        } catch (IOException e) {
            err.println("loadgen: cannot write the report: " + e);
            return 1;
        }
        boolean nothing = stats.opened.sum() == 0;
        return stats.errors.sum() > 0 || nothing ? 1 : 0;
    }

    /** How the warm-up went: how long it was extended for the generator's JIT, and whether that settled. */
    private static final class WarmUp {
        long extendedMillis;
        boolean settled = true;
    }

    /**
     * Runs --warmup, then (unless --no-jit-settle) one second at a time while the generator's JIT compiler spent more
     * than {@link JitSettle#QUIET_MS_PER_SECOND} in the last second, up to {@link JitSettle#limit}. Returns the
     * seconds the last phase lasted.
     */
    private static double warmUp(Options o, PrintStream err, Workloads.Workload w, Stats stats, WarmUp out)
            throws InterruptedException {
        JitSettle jit = new JitSettle();
        long last = Math.min(1_000_000_000L, o.warmup.toNanos());
        if (!o.jitSettle || !jit.supported()) {
            return phase(o, err, w, stats, o.warmup.toNanos(), "warm-up ");
        }
        double t = last == o.warmup.toNanos() ? 0 : phase(o, err, w, stats, o.warmup.toNanos() - last, "warm-up ");
        long limit = JitSettle.limit(o.warmup).toMillis();
        long extended = 0;
        while (w.finished.getCount() > 0) {
            long before = jit.compiledMillis();
            long t0 = System.nanoTime();
            t = phase(o, err, w, stats, last, "warm-up ");
            double seconds = (System.nanoTime() - t0) / 1e9;
            boolean quiet = JitSettle.quiet(jit.compiledMillis() - before, seconds);
            if (quiet || extended >= limit) {
                out.settled = quiet;
                break;
            }
            last = 1_000_000_000L;
            extended += 1000;
        }
        out.extendedMillis = extended;
        return t;
    }

    /** Runs until the workload finishes or nanos pass, sampling once a second; returns the seconds it lasted. */
    private static double phase(Options o, PrintStream err, Workloads.Workload w, Stats stats, long nanos, String label)
            throws InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + nanos;
        long tick = t0;
        while (true) {
            tick += 1_000_000_000L;
            long until = Math.min(tick, deadline);
            long wait = until - System.nanoTime();
            boolean finished = wait > 0 ? w.finished.await(wait, TimeUnit.NANOSECONDS) : w.finished.getCount() == 0;
            long now = System.nanoTime();
            if (finished || now >= deadline) {
                return (now - t0) / 1e9;
            }
            if (label.isEmpty()) {
                progress(o, err, stats, stats.sample((now - t0) / 1e9), label);
            } else {
                progress(o, err, stats, stats.peek((now - t0) / 1e9), label);
            }
        }
    }

    private static void write(Path p, String text) throws IOException {
        Path parent = p.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    static String title(Options o) {
        String via = o.direct ? (o.directTls ? "direct over TLS (no proxy)" : "direct (no proxy)")
                : "via " + o.proxyVersion + (o.method.equals("CONNECT") ? "" : " " + o.method) + " " + o.proxyUrl;
        return String.format(Locale.ROOT, "loadgen %s %s -> %s, %d tunnel%s, %s%s [%s]",
                o.workload.name().toLowerCase(Locale.ROOT), via, HostPort.format(o.targetHost, o.targetPort), o.tunnels,
                o.tunnels == 1 ? "" : "s", human(o.duration.toMillis()),
                o.warmup.isZero() ? "" : " after " + human(o.warmup.toMillis()) + " of warm-up", Transport.name());
    }

    private static String human(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static void progress(Options o, PrintStream err, Stats stats, Stats.Sample s, String label) {
        if (o.quiet) {
            return;
        }
        String rate = switch (o.workload) {
            case BULK -> String.format(Locale.ROOT, "%9.1f MB/s", s.mbps());
            case RPS -> String.format(Locale.ROOT, "%9.0f req/s", s.opsPerSec());
            case SETUP -> String.format(Locale.ROOT, "%7.1f setups/s", s.opsPerSec());
            case FIRSTBYTE -> String.format(Locale.ROOT, "%7.1f tunnels/s", s.opsPerSec());
            case IDLE -> String.format(Locale.ROOT, "%9.1f MB/s", s.mbps());
            case UDP -> String.format(Locale.ROOT, "%9.0f pkt/s echoed %7.2f MB/s | lost %d", s.opsPerSec(), s.mbps(),
                    stats.lost.sum());
        };
        String opening = s.opening() > 0 ? String.format(Locale.ROOT, " (+%d opening)", s.opening()) : "";
        err.print(String.format(Locale.ROOT, "\r%s%6.1fs | tunnels open %6d%s | %s | errors %d   ", label, s.t(), s.open(), opening,
                rate, s.errors()));
        err.flush();
    }
}
