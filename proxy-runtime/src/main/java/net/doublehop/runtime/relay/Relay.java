package net.doublehop.runtime.relay;

/** An open tunnel or UDP flow, as the registry's idle sweep and shutdown see it. */
public interface Relay {

    /** True when nothing moved for longer than {@code idleNanos}. */
    boolean idleSince(long now, long idleNanos);

    /** Closes it for being idle. */
    void closeIdle();

    /** Closes it now: shutdown deadline, or an error. */
    void abort();
}
