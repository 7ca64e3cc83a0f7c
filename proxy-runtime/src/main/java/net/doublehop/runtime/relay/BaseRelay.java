package net.doublehop.runtime.relay;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What a {@link Tunnel}, a {@link DatagramBridge} and a {@link UdpRelay} keep the same way: the last activity for the registry's idle
 * sweep, the bytes each way, whether the idle timeout ended it, and one {@link Tunnel.Summary} when it ends.
 */
abstract class BaseRelay implements Relay {

    private final long openedNanos;
    private final Consumer<Tunnel.Summary> onFinish;
    private final AtomicBoolean finished = new AtomicBoolean();
    private volatile long lastActivityNanos;
    private volatile boolean idleTimedOut;
    private long bytesFromClient;
    private long bytesToClient;

    BaseRelay(long openedNanos, Consumer<Tunnel.Summary> onFinish) {
        this.openedNanos = openedNanos;
        this.lastActivityNanos = openedNanos;
        this.onFinish = onFinish;
    }

    /** {@code n} bytes came from the client. */
    final void fromClient(long n) {
        lastActivityNanos = System.nanoTime();
        bytesFromClient += n;
    }

    /** {@code n} bytes go to the client; true when they are the first. */
    final boolean toClient(long n) {
        lastActivityNanos = System.nanoTime();
        boolean first = bytesToClient == 0;
        bytesToClient += n;
        return first;
    }

    /** True once it ended. */
    final boolean finished() {
        return finished.get();
    }

    final long openedNanos() {
        return openedNanos;
    }

    /** True when nothing moved either way for longer than {@code idleNanos}. */
    @Override
    public final boolean idleSince(long now, long idleNanos) {
        return now - lastActivityNanos > idleNanos;
    }

    /** Ends it as {@link #abort} does, and the summary says it was idle. */
    @Override
    public final void closeIdle() {
        idleTimedOut = true;
        abort();
    }

    /** The first call runs {@code last} (what ends the legs), then reports the summary; later calls do nothing. */
    final void finish(Runnable last) {
        if (finished.compareAndSet(false, true)) {
            last.run();
            onFinish.accept(new Tunnel.Summary(bytesFromClient, bytesToClient, System.nanoTime() - openedNanos,
                    idleTimedOut));
        }
    }
}
