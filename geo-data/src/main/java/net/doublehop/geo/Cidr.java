package net.doublehop.geo;

import java.math.BigInteger;
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

    /**
     * Parses an IPv4 or IPv6 literal without ever asking DNS. The JDK's {@code InetAddress.getByName} resolves any
     * text it cannot read as a literal as a host name, so a dotted quad out of range ({@code 10.0.0.256}, or
     * {@code 010.0.0.1}, which the JDK no longer reads as a literal) became a DNS query: a config value looked up at
     * start, and accepted if a resolver answered. Dotted quads are therefore decoded here, strictly (four decimal
     * octets, no leading zeros: some stacks read those as octal); IPv6 goes to the JDK in brackets, which it only
     * ever reads as a literal.
     */
    static InetAddress literal(String addr, String context) {
        boolean v6 = addr.indexOf(':') >= 0;
        if (!v6) {
            return ipv4(addr, context);
        }
        boolean ok = addr.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.' || c == ':'
                || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
        if (!ok) {
            throw notAnAddress(context);
        }
        try {
            return InetAddress.getByName("[" + addr + "]");
        } catch (UnknownHostException e) {
            throw notAnAddress(context);
        }
    }

    private static InetAddress ipv4(String addr, String context) {
        String[] parts = addr.split("\\.", -1);
        if (parts.length != 4) {
            throw notAnAddress(context);
        }
        byte[] octets = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
                throw notAnAddress(context);
            }
            octets[i] = (byte) Integer.parseInt(p);
        }
        try {
            return InetAddress.getByAddress(octets);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an IPv4 address
        }
    }

    private static IllegalArgumentException notAnAddress(String context) {
        return new IllegalArgumentException("'" + context + "' is not an IP address or prefix");
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
