package net.doublehop.loadgen;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Tells whether the generator's own JIT compiler is still busy. On a small machine the generator shares the CPUs
 * with the proxies it measures: while C2 compiles the generator's TLS and HTTP/2 paths (measured: 0.6 of a core for
 * the first 5 s of an h2 run) it takes CPU from them, so the warm-up lasts until the compiler has settled.
 */
final class JitSettle {

    /** Compiling less than this per second of wall time (5 % of one core) counts as settled. */
    static final long QUIET_MS_PER_SECOND = 50;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();

    /** Whether this JVM reports its compilation time; without it the warm-up is never extended. */
    boolean supported() {
        return jit != null && jit.isCompilationTimeMonitoringSupported();
    }

    /** Milliseconds this JVM's compiler threads have spent compiling so far. */
    long compiledMillis() {
        return supported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Whether compiling this many milliseconds in this many seconds of wall time counts as settled. */
    static boolean quiet(long compiledMillis, double seconds) {
        return compiledMillis <= QUIET_MS_PER_SECOND * seconds;
    }

    /** The longest the warm-up is extended: twice --warmup, at least 10 s. */
    static Duration limit(Duration warmup) {
        Duration twice = warmup.multipliedBy(2);
        return twice.compareTo(Duration.ofSeconds(10)) < 0 ? Duration.ofSeconds(10) : twice;
    }
}
