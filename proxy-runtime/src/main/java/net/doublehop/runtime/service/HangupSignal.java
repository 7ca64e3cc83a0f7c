package net.doublehop.runtime.service;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SIGHUP, the Unix convention for "reload your configuration" (what {@code systemctl reload} and {@code kill -HUP}
 * send). The JDK has no supported API for catching a signal: {@code sun.misc.Signal} (module jdk.unsupported,
 * present in every OpenJDK build) is the only way, so its use is kept in this one class. Without a handler the JVM
 * would treat SIGHUP as a request to exit. One handler per JVM dispatches to every registered listener (a test
 * may run both proxies in one JVM).
 */
final class HangupSignal {

    private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private HangupSignal() {
    }

    /**
     * Runs {@code onHangup} on every SIGHUP (on the JVM's signal thread: keep it short) until the returned handle is
     * closed. Where the JVM does not let us handle it (e.g. started with {@code -Xrs}) a warning says so.
     */
    static synchronized AutoCloseable register(Runnable onHangup, Logger log) {
        if (!installed) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> LISTENERS.forEach(Runnable::run));
                installed = true;
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                log.log(Level.WARNING, "reload: SIGHUP cannot be handled here (" + e.getClass().getSimpleName()
                        + "); a change of a watched file still reloads the configuration");
            }
        }
        LISTENERS.add(onHangup);
        return () -> LISTENERS.remove(onHangup);
    }
}
