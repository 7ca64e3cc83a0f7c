package net.doublehop.runtime.service;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one holder of what a proxy's new requests use: an immutable value (a proxy's validated configuration record
 * and the parts built from it) that a reload replaces whole. A request reads it once, at its start, and keeps that
 * value for its whole life, so it never sees half of one configuration and half of the next; a tunnel opened
 * before a reload keeps running on what it started with.
 *
 * @param <T> the proxy's live parts (a record)
 */
public final class LiveConfig<T> {

    private final AtomicReference<T> current;

    public LiveConfig(T initial) {
        current = new AtomicReference<>(Objects.requireNonNull(initial));
    }

    /** What a request starting now uses. */
    public T current() {
        return current.get();
    }

    /** Swaps in {@code next} for requests from now on; returns what was live before. */
    public T replace(T next) {
        return current.getAndSet(Objects.requireNonNull(next));
    }
}
