package net.doublehop.proxyb.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects SEVERE log records while a fixture runs: a proxy doing its job, refusals and peers that vanish
 * included, logs none (Vert.x logs an exception nobody handled as SEVERE). Public for Proxy A's fixture.
 */
public final class SevereLogGuard extends Handler implements AutoCloseable {

    private final List<LogRecord> severe = new CopyOnWriteArrayList<>();

    public SevereLogGuard() {
        Logger.getLogger("").addHandler(this);
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
            severe.add(r);
        }
    }

    @Override
    public void flush() {
    }

    /** Stops collecting and fails if anything SEVERE was logged. */
    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
        if (!severe.isEmpty()) {
            throw new AssertionError("SEVERE log records: " + severe.stream()
                    .map(r -> r.getLoggerName() + ": " + r.getMessage()).toList());
        }
    }
}
