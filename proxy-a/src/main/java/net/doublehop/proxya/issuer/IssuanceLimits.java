package net.doublehop.proxya.issuer;

import io.vertx.core.Future;

/** Tokens per user per hour: this process's buckets ({@link IssuanceLimiter}) or the shared store's. */
public interface IssuanceLimits {

    /** Takes one issuance for {@code user}: 0 when allowed, else the whole seconds until one will be (at least 1). */
    Future<Long> take(String user);

    /** Forgets what no longer needs remembering; called once a minute. */
    default void sweep() {
    }
}
