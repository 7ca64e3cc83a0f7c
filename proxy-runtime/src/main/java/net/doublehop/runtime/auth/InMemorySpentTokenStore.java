package net.doublehop.runtime.auth;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One process's spent tokens, bounded: at most {@code capacity} nonces over all keys. When full it refuses
 * new tokens ({@link Outcome#FULL}) instead of evicting, because evicting a spent nonce would let that token
 * be replayed; space comes back when an issuer key is retired. Size the capacity for the tokens a key
 * issues in its lifetime.
 */
public final class InMemorySpentTokenStore implements SpentTokenStore {

    private final int capacity;
    private final Map<Bytes, Set<Bytes>> spentByKey = new HashMap<>();
    private int size;

    public InMemorySpentTokenStore(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized Future<Outcome> spend(byte[] tokenKeyId, byte[] nonce) {
        Set<Bytes> spent = spentByKey.computeIfAbsent(new Bytes(tokenKeyId), k -> new HashSet<>());
        Bytes n = new Bytes(nonce);
        if (spent.contains(n)) {
            return Future.succeededFuture(Outcome.REPLAYED);
        }
        if (size >= capacity) {
            return Future.succeededFuture(Outcome.FULL);
        }
        spent.add(n);
        size++;
        return Future.succeededFuture(Outcome.FRESH);
    }

    @Override
    public synchronized void retireKey(byte[] tokenKeyId) {
        Set<Bytes> gone = spentByKey.remove(new Bytes(tokenKeyId));
        if (gone != null) {
            size -= gone.size();
        }
    }

    public synchronized int size() {
        return size;
    }

    /** A byte array with value equality, as a map key. */
    private record Bytes(byte[] value) {
        Bytes {
            value = value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && java.util.Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(value);
        }
    }
}
