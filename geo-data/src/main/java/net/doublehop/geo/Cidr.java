package net.doublehop.geo;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IP prefix ({@code 10.0.0.0/8}, {@code fe80::/10}) or single address. Parsed from config text without
 * DNS: only literals are accepted. IPv4-mapped IPv6 addresses are compared as the IPv4 address they carry.
 */
public record Cidr(InetAddress network, int prefixLength) {

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length out of range");
        }
    }

    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty address or prefix");
        }
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        InetAddress a = literal(addr, t);
        int bits = a.getAddress().length * 8;
        int len = bits;
        if (slash >= 0) {
            String lenText = t.substring(slash + 1);
            if (lenText.isEmpty() || lenText.length() > 3 || !lenText.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("'" + t + "' has an invalid prefix length");
            }
            len = Integer.parseInt(lenText);
            if (len > bits) {
                throw new IllegalArgumentException("'" + t + "' has a prefix length beyond " + bits);
            }
            if (!masked(a.getAddress(), len).equals(new BigInteger(1, a.getAddress()))) {
                throw new IllegalArgumentException("'" + t + "' has host bits set");
            }
        }
        return new Cidr(a, len);
    }

    /** Parses an IPv4 or IPv6 literal; anything that could be a host name is refused before the JDK sees it. */
    static InetAddress literal(String addr, String context) {
        boolean v6 = addr.indexOf(':') >= 0;
        boolean ok = !addr.isEmpty() && addr.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.'
                || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))));
        if (!ok || (!v6 && addr.split("\\.", -1).length != 4)) {
            throw new IllegalArgumentException("'" + context + "' is not an IP address or prefix");
        }
        try {
            InetAddress a = InetAddress.getByName(v6 ? "[" + addr + "]" : addr);
            if (!v6 && !(a instanceof Inet4Address)) {
                throw new IllegalArgumentException("'" + context + "' is not an IPv4 address");
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + context + "' is not an IP address or prefix");
        }
    }

    public boolean contains(InetAddress address) {
        InetAddress a = unmapped(address);
        if (a.getAddress().length != network.getAddress().length) {
            return false;
        }
        return masked(a.getAddress(), prefixLength).equals(masked(network.getAddress(), prefixLength));
    }

    /** Every address in the prefix, for pools; refuses more than {@code limit}. */
    public List<InetAddress> expand(int limit) {
        int bits = network.getAddress().length * 8;
        int hostBits = bits - prefixLength;
        if (hostBits > 30 || (1L << hostBits) > limit) {
            throw new IllegalArgumentException("'" + this + "' has more than " + limit + " addresses");
        }
        List<InetAddress> out = new ArrayList<>();
        BigInteger base = new BigInteger(1, network.getAddress());
        for (long i = 0; i < (1L << hostBits); i++) {
            out.add(toAddress(base.add(BigInteger.valueOf(i)), network.getAddress().length));
        }
        return out;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    /** {@code ::ffff:a.b.c.d} → {@code a.b.c.d}; the JDK already does this for literals, not for all sources. */
    public static InetAddress unmapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address && b.length == 16 && b[10] == (byte) 0xff && b[11] == (byte) 0xff
                && Arrays.equals(Arrays.copyOf(b, 10), new byte[10])) {
            return toAddress(new BigInteger(1, Arrays.copyOfRange(b, 12, 16)), 4);
        }
        return a;
    }

    static BigInteger masked(byte[] address, int len) {
        int bits = address.length * 8;
        BigInteger value = new BigInteger(1, address);
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - len).subtract(BigInteger.ONE));
        return value.and(mask);
    }

    public static InetAddress toAddress(BigInteger value, int bytes) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[bytes];
        int copy = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - copy, out, bytes - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
