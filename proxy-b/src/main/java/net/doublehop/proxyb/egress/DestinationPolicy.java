package net.doublehop.proxyb.egress;

import net.doublehop.geo.Cidr;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

/**
 * Which destination addresses Proxy B may connect to. Refused by default: everything that is not a
 * public unicast address (so a tunnel cannot reach the operator's own network, loopback or cloud metadata).
 * {@code destinations.allow} entries are exceptions. IPv6 forms that embed an IPv4 address (mapped
 * ::ffff:0:0/96 via {@link Cidr#unmapped}, compatible, NAT64, 6to4) are judged by the IPv4 address they carry.
 */
public final class DestinationPolicy {

    private static final List<Cidr> REFUSED_V4 = parse(
            "0.0.0.0/8",          // RFC 791 "this network"
            "10.0.0.0/8",         // RFC 1918 private
            "100.64.0.0/10",      // RFC 6598 shared address space (CGNAT)
            "127.0.0.0/8",        // RFC 1122 loopback
            "169.254.0.0/16",     // RFC 3927 link-local, incl. 169.254.169.254 cloud metadata
            "172.16.0.0/12",      // RFC 1918 private
            "192.0.0.0/24",       // RFC 6890 IETF protocol assignments
            "192.0.2.0/24",       // RFC 5737 TEST-NET-1
            "192.88.99.0/24",     // RFC 7526 deprecated 6to4 relay anycast
            "192.168.0.0/16",     // RFC 1918 private
            "198.18.0.0/15",      // RFC 2544 benchmarking
            "198.51.100.0/24",    // RFC 5737 TEST-NET-2
            "203.0.113.0/24",     // RFC 5737 TEST-NET-3
            "224.0.0.0/4",        // RFC 5771 multicast
            "240.0.0.0/4");       // RFC 1112 reserved, incl. 255.255.255.255 broadcast

    private static final List<Cidr> REFUSED_V6 = parse(
            "::/128",             // RFC 4291 unspecified
            "::1/128",            // RFC 4291 loopback
            "100::/64",           // RFC 6666 discard-only
            "2001:db8::/32",      // RFC 3849 documentation
            "2001::/23",          // RFC 2928 IETF protocol assignments (Teredo, ORCHID, …)
            "fc00::/7",           // RFC 4193 unique local, incl. fd00:ec2::254 (AWS metadata)
            "fe80::/10",          // RFC 4291 link-local
            "fec0::/10",          // RFC 3879 deprecated site-local
            "ff00::/8");          // RFC 4291 multicast

    private static final Cidr COMPATIBLE = Cidr.parse("::/96");              // RFC 4291 deprecated IPv4-compatible
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");            // RFC 6052 well-known NAT64
    private static final Cidr NAT64_LOCAL = Cidr.parse("64:ff9b:1::/48");    // RFC 8215 local-use NAT64
    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");         // RFC 3056 6to4

    private final List<Cidr> allow;

    public DestinationPolicy(List<Cidr> allow) {
        this.allow = List.copyOf(allow);
    }

    public boolean permits(InetAddress address) {
        for (Cidr a : allow) {
            if (a.contains(address)) {
                return true;
            }
        }
        InetAddress a = Cidr.unmapped(address);
        if (!(a instanceof Inet6Address)) {
            return REFUSED_V4.stream().noneMatch(c -> c.contains(a));
        }
        byte[] b = a.getAddress();
        if (NAT64.contains(a) || (COMPATIBLE.contains(a) && !isUnspecifiedOrLoopback(b))) {
            return permitsEmbedded(Arrays.copyOfRange(b, 12, 16));
        }
        if (NAT64_LOCAL.contains(a)) {
            return false; // local-use NAT64 maps into the operator's own network by definition
        }
        if (SIX_TO_FOUR.contains(a)) {
            return permitsEmbedded(Arrays.copyOfRange(b, 2, 6));
        }
        return REFUSED_V6.stream().noneMatch(c -> c.contains(a));
    }

    private boolean permitsEmbedded(byte[] v4) {
        return permits(Cidr.toAddress(new BigInteger(1, v4), 4));
    }

    private static boolean isUnspecifiedOrLoopback(byte[] b) {
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[15] == 0 || b[15] == 1;
    }

    private static List<Cidr> parse(String... prefixes) {
        return Arrays.stream(prefixes).map(Cidr::parse).toList();
    }
}
