package net.doublehop.runtime.trace;

import io.vertx.core.Future;

/** A stage of a proxy's flow that waits for something (a password hash, a store, the next hop, a dial). */
@FunctionalInterface
public interface AsyncStage<C, T> {
    Future<T> apply(C ctx);
}
