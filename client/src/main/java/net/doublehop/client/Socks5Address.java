package net.doublehop.client;

import io.netty.buffer.ByteBuf;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import net.doublehop.protocol.ConnectTarget;

/**
 * A SOCKS5 address and port as the wire carries it (RFC 1928 §5): ATYP 1 (IPv4, 4 bytes), 3 (a name, one length
 * byte then the name) or 4 (IPv6, 16 bytes), then the port in network order. Used in requests, replies and the
 * UDP request header (§7).
 */
record Socks5Address(int type, String host, int port) {

    static final int IPV4 = 1;
    static final int DOMAIN = 3;
    static final int IPV6 = 4;

    /** An address type this side does not know: the request is answered with reply code 8 (§6). */
    static final class UnsupportedType extends Exception {
        private static final long serialVersionUID = 1L;

        UnsupportedType(int type) {
            super("address type " + type);
        }
    }

    /**
     * Reads ATYP, address and port from {@code in}; null (and nothing consumed) while they have not all arrived.
     */
    static Socks5Address read(ByteBuf in) throws UnsupportedType {
        int start = in.readerIndex();
        if (in.readableBytes() < 1) {
            return null;
        }
        int type = in.getUnsignedByte(start);
        int addressLength = switch (type) {
            case IPV4 -> 4;
            case IPV6 -> 16;
            case DOMAIN -> in.readableBytes() < 2 ? -1 : 1 + in.getUnsignedByte(start + 1);
            default -> throw new UnsupportedType(type);
        };
        if (addressLength < 0 || in.readableBytes() < 1 + addressLength + 2) {
            return null;
        }
        in.skipBytes(1);
        String host;
        if (type == DOMAIN) {
            byte[] name = new byte[addressLength - 1];
            in.skipBytes(1);
            in.readBytes(name);
            host = new String(name, StandardCharsets.US_ASCII);
        } else {
            byte[] raw = new byte[addressLength];
            in.readBytes(raw);
            host = NetUtil.bytesToIpAddress(raw);
        }
        return new Socks5Address(type, host, in.readUnsignedShort());
    }

    /** The address of a local socket, for a reply's BND.ADDR and BND.PORT. */
    static Socks5Address of(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        return new Socks5Address(ip.getAddress().length == 4 ? IPV4 : IPV6, ip.getHostAddress(), a.getPort());
    }

    void write(ByteBuf out) {
        out.writeByte(type);
        if (type == DOMAIN) {
            byte[] name = host.getBytes(StandardCharsets.US_ASCII);
            out.writeByte(name.length);
            out.writeBytes(name);
        } else {
            try {
                out.writeBytes(InetAddress.getByName(host).getAddress()); // an IP literal: no DNS lookup
            } catch (UnknownHostException e) {
                throw new IllegalStateException("not an IP literal: " + host, e);
            }
        }
        out.writeShort(port);
    }

    /** The destination, checked as a CONNECT target is (a port of 0 or a bad name throws a 400 ProxyFailure). */
    ConnectTarget target() {
        return ConnectTarget.parse(type == IPV6 ? "[" + host + "]:" + port : host + ":" + port);
    }
}
