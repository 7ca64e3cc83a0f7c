package net.doublehop.proxya.flow;

import io.vertx.core.Future;

/**
 * Per-user bounds on tunnels (concurrent, and new per second), answered with 429: this process's
 * ({@link UserLimiter}) or those of every instance sharing {@code store.redis} ({@link SharedUserLimiter}).
 */
public interface UserLimits {

    /** Takes a slot, or fails with a 429 {@code ProxyFailure}; every success must be matched by one {@link #release}. */
    Future<Void> admit(String user);

    void release(String user);
}
