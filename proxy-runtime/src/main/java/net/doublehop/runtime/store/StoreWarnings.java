package net.doublehop.runtime.store;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Warnings about the shared store, at most one per {@code every} milliseconds per kind: while Redis is down every
 * request would otherwise log one, thousands a second. The next line says how many were left out.
 */
public final class StoreWarnings {

    private static final Logger LOG = System.getLogger("store");

    private final String what;
    private final long everyNanos;
    private final AtomicLong last = new AtomicLong(System.nanoTime() - Long.MAX_VALUE / 2);
    private final AtomicLong suppressed = new AtomicLong();

    /** @param what the warning's text, ending before the failure's class name (never a message: it may hold addresses) */
    public StoreWarnings(String what, long everyMillis) {
        this.what = what;
        this.everyNanos = everyMillis * 1_000_000L;
    }

    public void warn(Throwable cause) {
        long now = System.nanoTime();
        long prev = last.get();
        if (now - prev < everyNanos || !last.compareAndSet(prev, now)) {
            suppressed.incrementAndGet();
            return;
        }
        long left = suppressed.getAndSet(0);
        LOG.log(Level.WARNING, "store: " + what + " (" + cause.getClass().getSimpleName() + ")"
                + (left > 0 ? "; " + left + " more like it since the last warning" : ""));
    }
}
