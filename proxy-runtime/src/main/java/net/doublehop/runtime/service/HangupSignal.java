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
        if (!install()) {
            log.log(Level.WARNING, "reload: SIGHUP cannot be handled here; a change of a watched file still "
                    + "reloads the configuration");
        }
        LISTENERS.add(onHangup);
        return () -> LISTENERS.remove(onHangup);
    }

    /**
     * Installs the handler with no listener yet: from then on a SIGHUP is logged and ignored until a listener
     * registers, instead of ending the JVM (a proxy takes seconds to start, and a reload may be sent meanwhile).
     * Touches no logger (logging is configured later, and its format is fixed by the first use): the early case
     * prints one line to stderr. Returns false where the JVM does not let us handle SIGHUP.
     */
    static synchronized boolean install() {
        if (!installed) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                    if (LISTENERS.isEmpty()) {
                        System.err.println("SIGHUP before the proxy has started: ignored");
                    }
                    LISTENERS.forEach(Runnable::run);
                });
                installed = true;
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                return false;
            }
        }
        return true;
    }
}
