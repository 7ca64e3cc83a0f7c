package net.doublehop.proxya.flow;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/** Concurrent tunnels per user; over the limit is 429 (RFC 6585 §4). */
public final class UserLimiter {

    static final ProxyFailure OVER = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 429,
            "user is at its tunnel limit");

    private final int max;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();

    public UserLimiter(int max) {
        this.max = max;
    }

    public void acquire(String user) {
        int[] result = new int[1];
        open.compute(user, (u, n) -> {
            int next = (n == null ? 0 : n) + 1;
            result[0] = next;
            return next > max ? n : Integer.valueOf(next);
        });
        if (result[0] > max) {
            throw OVER;
        }
    }

    public void release(String user) {
        open.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }
}
