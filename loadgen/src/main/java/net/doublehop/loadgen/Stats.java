package net.doublehop.loadgen;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Live counters, updated from the event loops, sampled once a second into the time series. */
final class Stats {

    private static final int MAX_ERROR_KINDS = 20;

    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    /** Completed operations: downloads (bulk), setups (setup), round trips (rps). */
    final LongAdder ops = new LongAdder();
    final LongAdder errors = new LongAdder();
    /** udp: datagrams not echoed within --loss-timeout. */
    final LongAdder lost = new LongAdder();
    final LongAdder opened = new LongAdder();
    final LongAdder failedOpens = new LongAdder();
    final AtomicInteger open = new AtomicInteger();
    /** Tunnels whose opening (connect, TLS, CONNECT answer) has begun and not ended. */
    final AtomicInteger opening = new AtomicInteger();
    /** {@link #opening} when the run ended, before the remaining channels were closed. */
    volatile int stillOpeningAtEnd;
    private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();

    /** One point of the time series. t is seconds since the start (end of the interval). */
    record Sample(double t, double interval, long bytes, double mbps, long ops, double opsPerSec, int open,
                  int opening, long errors) { }

    final List<Sample> series = new ArrayList<>();
    private long lastBytes;
    private long lastOps;
    private double lastT;

    void error(Throwable t) {
        error(describe(t));
    }

    /** The exception's class and message, and the innermost cause's message where it says more. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        if (t instanceof ClosedChannelException || m == null) {
            m = t.getClass().getSimpleName();
        } else if (t.getClass() != IOException.class) {
            m = t.getClass().getSimpleName() + ": " + m;
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != t && root.getMessage() != null && !m.contains(root.getMessage())) {
            m += " (" + root.getMessage() + ")";
        }
        return m;
    }

    void error(String kind) {
        errors.increment();
        LongAdder a = errorKinds.get(kind);
        if (a == null) {
            a = errorKinds.size() < MAX_ERROR_KINDS ? errorKinds.computeIfAbsent(kind, k -> new LongAdder())
                    : errorKinds.computeIfAbsent("(other errors)", k -> new LongAdder());
        }
        a.increment();
    }

    Map<String, Long> errorKinds() {
        Map<String, Long> m = new LinkedHashMap<>();
        errorKinds.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue().sum(), a.getValue().sum()))
                .forEach(e -> m.put(e.getKey(), e.getValue().sum()));
        return m;
    }

    /** End of the warm-up: forgets throughput and operation counts; tunnel and error counts stay. */
    void resetAfterWarmup() {
        bytesIn.reset();
        bytesOut.reset();
        ops.reset();
        lost.reset();
        series.clear();
        lastBytes = 0;
        lastOps = 0;
        lastT = 0;
    }

    /** Takes a sample at t seconds since the start and adds it to the series; called from one thread only. */
    Sample sample(double t) {
        Sample s = peek(t);
        series.add(s);
        lastBytes += s.bytes();
        lastOps += s.ops();
        lastT = t;
        return s;
    }

    /** The sample at t without adding it to the series (the warm-up's progress line). */
    Sample peek(double t) {
        long b = bytesIn.sum();
        long o = ops.sum();
        double dt = t - lastT;
        Sample s = new Sample(round(t, 3), round(dt, 3), b - lastBytes, dt > 0 ? round((b - lastBytes) / dt / 1e6, 3) : 0,
                o - lastOps, dt > 0 ? round((o - lastOps) / dt, 1) : 0, open.get(), opening.get(), errors.sum());
        return s;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    List<Object> seriesJson() {
        List<Object> out = new ArrayList<>();
        for (Sample s : series) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("t", s.t());
            m.put("interval", s.interval());
            m.put("bytes", s.bytes());
            m.put("mbps", s.mbps());
            m.put("ops", s.ops());
            m.put("opsPerSec", s.opsPerSec());
            m.put("tunnelsOpen", s.open());
            m.put("tunnelsOpening", s.opening());
            m.put("errors", s.errors());
            out.add(m);
        }
        return out;
    }
}
