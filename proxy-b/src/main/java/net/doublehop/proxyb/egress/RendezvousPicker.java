package net.doublehop.proxyb.egress;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Highest-random-weight (rendezvous) hashing of a pool's addresses for (pool, geohash cell, destination
 * host): users of one region share addresses per site, a site sees a stable address, and removing an
 * address only moves the flows that were on it. SHA-256 keeps the order stable across JVMs and versions.
 *
 * <p>{@link #rank} hashes each address once (decorate, sort, undecorate) with one digest per thread: it runs on
 * the event loop for every tunnel.
 */
public final class RendezvousPicker {

    /** Heaviest first, then by address text: {@link #rank}'s order. A stable sort keeps full ties in pool order. */
    private static final Comparator<Weighted> ORDER = Comparator.comparingLong(Weighted::weight).reversed()
            .thenComparing(w -> w.address().getHostAddress());

    /** A SHA-256 digest and its output buffer per thread (event loops and workers), reused by every rank. */
    private static final ThreadLocal<Hasher> HASHER = ThreadLocal.withInitial(Hasher::new);

    private RendezvousPicker() {
    }

    /** All the pool's addresses, best first. */
    public static List<InetAddress> rank(EgressPool pool, String cell, String destinationHost) {
        byte[] key = (pool.name() + "\u0000" + (cell == null ? "" : cell) + "\u0000"
                + (destinationHost == null ? "" : destinationHost) + "\u0000").getBytes(StandardCharsets.UTF_8);
        List<InetAddress> addresses = pool.addresses();
        Hasher hasher = HASHER.get();
        Weighted[] weighted = new Weighted[addresses.size()];
        for (int i = 0; i < weighted.length; i++) {
            InetAddress a = addresses.get(i);
            weighted[i] = new Weighted(a, hasher.weight(key, a));
        }
        Arrays.sort(weighted, ORDER); // stable (TimSort), as Stream.sorted was
        InetAddress[] ranked = new InetAddress[weighted.length];
        for (int i = 0; i < ranked.length; i++) {
            ranked[i] = weighted[i].address();
        }
        return List.of(ranked);
    }

    /** The weight of an address for a key: the first 63 bits of SHA-256(key, address bytes). */
    static long weight(byte[] key, InetAddress address) {
        return HASHER.get().weight(key, address);
    }

    private record Weighted(InetAddress address, long weight) {
    }

    private static final class Hasher {
        private final MessageDigest md;
        private final byte[] out;

        Hasher() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            out = new byte[md.getDigestLength()];
        }

        long weight(byte[] key, InetAddress address) {
            md.reset();
            md.update(key);
            md.update(address.getAddress());
            try {
                md.digest(out, 0, out.length); // resets the digest
            } catch (DigestException e) {
                throw new IllegalStateException(e);
            }
            return ByteBuffer.wrap(out).getLong() >>> 1; // non-negative
        }
    }
}
