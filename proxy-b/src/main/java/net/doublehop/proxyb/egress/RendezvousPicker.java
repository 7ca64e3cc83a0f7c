package net.doublehop.proxyb.egress;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.List;

/**
 * Highest-random-weight (rendezvous) hashing of a pool's addresses for (pool, geohash cell, destination
 * host): users of one region share addresses per site, a site sees a stable address, and removing an
 * address only moves the flows that were on it. SHA-256 keeps the order stable across JVMs and versions.
 */
public final class RendezvousPicker {

    private RendezvousPicker() {
    }

    /** All the pool's addresses, best first. */
    public static List<InetAddress> rank(EgressPool pool, String cell, String destinationHost) {
        byte[] key = (pool.name() + "\u0000" + (cell == null ? "" : cell) + "\u0000"
                + (destinationHost == null ? "" : destinationHost) + "\u0000").getBytes(StandardCharsets.UTF_8);
        return pool.addresses().stream()
                .sorted(Comparator.comparingLong((InetAddress a) -> weight(key, a)).reversed()
                        .thenComparing(InetAddress::getHostAddress))
                .toList();
    }

    static long weight(byte[] key, InetAddress address) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(key);
            md.update(address.getAddress());
            return ByteBuffer.wrap(md.digest()).getLong() >>> 1; // non-negative
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
