package net.doublehop.runtime.listen.h3;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RetryTokensTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.10", 40000);
    private static final byte[] CID = HexFormat.of().parseHex("0011223344556677");

    private long now = 1_000_000;
    private final RetryTokens tokens = new RetryTokens(() -> now);

    private ByteBuf token() {
        ByteBuf out = Unpooled.buffer();
        assertThat(tokens.writeToken(out, Unpooled.wrappedBuffer(CID), CLIENT)).isTrue();
        assertThat(out.readableBytes()).isLessThanOrEqualTo(tokens.maxTokenLength());
        return out;
    }

    @Test
    void aTokenIsValidForItsAddressAndPointsAtTheOriginalConnectionId() {
        ByteBuf t = token();
        int offset = tokens.validateToken(t, CLIENT);
        assertThat(offset).isPositive();
        byte[] cid = new byte[t.readableBytes() - offset];
        t.getBytes(offset, cid);
        assertThat(cid).isEqualTo(CID);
    }

    @Test
    void anotherAddressOrPortCannotUseIt() {
        assertThat(tokens.validateToken(token(), new InetSocketAddress("127.0.0.11", 40000))).isEqualTo(-1);
        assertThat(tokens.validateToken(token(), new InetSocketAddress("127.0.0.10", 40001))).isEqualTo(-1);
    }

    @Test
    void anyChangedByteIsRefused() {
        ByteBuf good = token();
        for (int i = 0; i < good.readableBytes(); i++) {
            ByteBuf t = good.copy();
            t.setByte(i, t.getByte(i) ^ 0x01);
            assertThat(tokens.validateToken(t, CLIENT)).as("byte %d flipped", i).isEqualTo(-1);
        }
    }

    @Test
    void anotherProcessesTokensAndExpiredOnesAreRefused() {
        assertThat(new RetryTokens(() -> now).validateToken(token(), CLIENT)).isEqualTo(-1); // another key
        ByteBuf t = token();
        now += 10_001;
        assertThat(tokens.validateToken(t, CLIENT)).isEqualTo(-1);
    }

    @Test
    void truncatedOrOversizedTokensAreRefused() {
        assertThat(tokens.validateToken(Unpooled.buffer(), CLIENT)).isEqualTo(-1);
        assertThat(tokens.validateToken(token().slice(0, 24), CLIENT)).isEqualTo(-1);
        assertThat(tokens.validateToken(Unpooled.wrappedBuffer(new byte[tokens.maxTokenLength() + 1]), CLIENT))
                .isEqualTo(-1);
    }
}
