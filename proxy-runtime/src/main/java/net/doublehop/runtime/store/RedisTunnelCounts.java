package net.doublehop.runtime.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent tunnels per subject across all instances sharing the Redis.
 *
 * <p>Each instance writes its own count for a subject into the subject's hash ({@code open:<subject>}, field =
 * instance id, value {@code seq:count}) as an absolute number it knows locally, never an increment: a write that
 * is lost (Redis briefly unreachable) is corrected by the next one, so no count drifts for ever. The sequence
 * number keeps a late write from overwriting a newer one. An instance also refreshes its lease in
 * {@code instances} (a sorted set of lease ends, {@link #LEASE_MILLIS}) with every write and every third of a lease; the counts
 * of an instance whose lease ended (it crashed or lost Redis) are ignored and removed, so a dead instance does not
 * hold its users' slots.
 */
public final class RedisTunnelCounts implements AutoCloseable {

    static final long LEASE_MILLIS = 15_000;
    /** A subject's hash lives this long after its last write (a safety net; live counts are rewritten on use). */
    static final long HASH_TTL_MILLIS = 24 * 3600_000L;

    /**
     * KEYS: the subject's hash, the instances' lease set. ARGV: instance id, seq, this instance's count, the limit
     * ('' = no check), lease ms, hash ttl ms. Returns 1 when written, 0 when the limit refuses (nothing written).
     */
    private static final RedisStore.LuaScript WRITE = RedisStore.LuaScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), ARGV[1])
            local fields = redis.call('HGETALL', KEYS[1])
            local others = 0
            local mine = -1
            for i = 1, #fields, 2 do
              local seq, n = string.match(fields[i + 1], '^(%d+):(%d+)$')
              if fields[i] == ARGV[1] then
                mine = tonumber(seq)
              else
                local lease = redis.call('ZSCORE', KEYS[2], fields[i])
                if lease and tonumber(lease) > now and n then
                  others = others + tonumber(n)
                else
                  redis.call('HDEL', KEYS[1], fields[i])
                end
              end
            end
            local count = tonumber(ARGV[3])
            if ARGV[4] ~= '' and others + count > tonumber(ARGV[4]) then return 0 end
            if tonumber(ARGV[2]) > mine then
              redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[6])
            return 1
            """);

    /** KEYS: the lease set. ARGV: instance id, lease ms. Renews this instance's lease, drops leases long gone. */
    private static final RedisStore.LuaScript RENEW = RedisStore.LuaScript.of("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 3600000)
            return 1
            """);

    private final RedisStore store;
    private final String purpose;
    private final Map<String, Integer> local = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final long leaseMillis;
    private final long timer;

    /** @param purpose a name for the counts' use, part of their keys */
    public RedisTunnelCounts(RedisStore store, String purpose) {
        this(store, purpose, LEASE_MILLIS);
    }

    RedisTunnelCounts(RedisStore store, String purpose, long leaseMillis) {
        this.store = store;
        this.purpose = purpose;
        this.leaseMillis = leaseMillis;
        this.timer = store.vertx().setPeriodic(Math.max(1, leaseMillis / 3), id -> store.eval(RENEW,
                List.of(store.key("instances")), List.of(store.instanceId(), leaseMillis)));
    }

    /** Why an acquisition was refused, or that it was not. */
    public enum Result { TAKEN, REFUSED, TAKEN_LOCALLY, REFUSED_LOCALLY }

    /**
     * Takes a slot for {@code subject} if all instances together hold fewer than {@code max}. When Redis does not
     * answer, this instance's own count decides ({@code *_LOCALLY}): the bound then holds per instance only.
     * Every taken slot must be given back with {@link #release}.
     */
    public Future<Result> acquire(String subject, int max) {
        int count = local.merge(subject, 1, Integer::sum);
        return write(subject, count, max).map(written -> {
            if (written) {
                return Result.TAKEN;
            }
            release(subject);
            return Result.REFUSED;
        }).recover(e -> {
            if (count <= max) {
                return Future.succeededFuture(Result.TAKEN_LOCALLY);
            }
            release(subject);
            return Future.succeededFuture(Result.REFUSED_LOCALLY);
        });
    }

    /** Gives a slot back; the new count is written at once (a failed write is corrected by the next one). */
    public void release(String subject) {
        Integer[] after = new Integer[1];
        local.computeIfPresent(subject, (s, n) -> {
            after[0] = n - 1;
            return n <= 1 ? null : n - 1;
        });
        if (after[0] != null) {
            write(subject, after[0], -1);
        }
    }

    /** This instance's slots held for {@code subject}. */
    public int localCount(String subject) {
        return local.getOrDefault(subject, 0);
    }

    private Future<Boolean> write(String subject, int count, int max) {
        return store.eval(WRITE,
                List.of(store.key("open", purpose, RedisStore.subjectKey(subject)), store.key("instances")),
                List.of(store.instanceId(), seq.incrementAndGet(), count, max < 0 ? "" : Integer.toString(max),
                        leaseMillis, HASH_TTL_MILLIS))
                .map(r -> r.toInteger() == 1);
    }

    @Override
    public void close() {
        store.vertx().cancelTimer(timer);
    }
}
