package net.doublehop.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.doublehop.protocol.ConnectTarget;
import net.doublehop.protocol.ProxyFailure;

/**
 * Fuzz target (Jazzer) for the SOCKS5 address a local application sends (RFC 1928 §5: ATYP, DST.ADDR, DST.PORT):
 * {@link Socks5Address#read} either waits for more bytes (consuming nothing), refuses an unknown type with
 * {@link Socks5Address.UnsupportedType}, or reads exactly the address's bytes; and the destination it names is a
 * CONNECT target or a 400, never another exception.
 */
class Socks5AddressFuzzTest {

    @FuzzTest
    void address(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        Socks5Address a;
        try {
            a = Socks5Address.read(in);
        } catch (Socks5Address.UnsupportedType refused) {
            assertThat(in.readerIndex()).isZero();
            return;
        }
        if (a == null) {
            assertThat(in.readerIndex()).isZero();
            return;
        }
        int expected = 1 + switch (a.type()) {
            case Socks5Address.IPV4 -> 4;
            case Socks5Address.IPV6 -> 16;
            default -> 1 + (input[1] & 0xff);
        } + 2;
        assertThat(in.readerIndex()).isEqualTo(expected);
        assertThat(a.port()).isBetween(0, 65535);
        try {
            ConnectTarget t = a.target();
            assertThat(t.port()).isPositive();
        } catch (ProxyFailure f) {
            assertThat(f.status()).isEqualTo(400);
        }
    }
}
