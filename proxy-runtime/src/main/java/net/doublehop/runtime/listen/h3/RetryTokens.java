package net.doublehop.runtime.listen.h3;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.quic.QuicTokenHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * QUIC Retry tokens (RFC 9000 §8.1.2) that prove the client owns its address: an expiry, an HMAC-SHA-256 over
 * the expiry, the client's address and port and the original connection ID under a key made at start, and the
 * connection ID itself. Netty's {@code InsecureQuicTokenHandler} writes the address in clear and checks nothing
 * else, so anyone could forge a token for an address they spoof; the Retry round trip bought no protection.
 */
final class RetryTokens implements QuicTokenHandler {

    private static final int EXPIRY = 8;
    private static final int MAC = 16;
    /** A Retry is answered at once; a token older than this is refused (the client starts over). */
    private static final long LIFETIME_MILLIS = 10_000;
    /** RFC 9000 §17.2: connection IDs are at most 20 bytes. */
    private static final int MAX_CID = 20;

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final java.util.function.LongSupplier clock;

    RetryTokens() {
        this(System::currentTimeMillis);
    }

    RetryTokens(java.util.function.LongSupplier clockMillis) {
        this.clock = clockMillis;
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(key);
                return m;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
            }
        });
    }

    @Override
    public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
        byte[] cid = new byte[dcid.readableBytes()];
        dcid.getBytes(dcid.readerIndex(), cid);
        long expiry = clock.getAsLong() + LIFETIME_MILLIS;
        out.writeLong(expiry).writeBytes(mac(expiry, address, cid)).writeBytes(cid);
        return true;
    }

    /** The offset of the original connection ID in a valid token, -1 otherwise. */
    @Override
    public int validateToken(ByteBuf token, InetSocketAddress address) {
        int length = token.readableBytes();
        if (length <= EXPIRY + MAC || length > maxTokenLength()) {
            return -1;
        }
        int start = token.readerIndex();
        long expiry = token.getLong(start);
        if (expiry < clock.getAsLong()) {
            return -1;
        }
        byte[] mac = new byte[MAC];
        token.getBytes(start + EXPIRY, mac);
        byte[] cid = new byte[length - EXPIRY - MAC];
        token.getBytes(start + EXPIRY + MAC, cid);
        return MessageDigest.isEqual(mac, mac(expiry, address, cid)) ? EXPIRY + MAC : -1;
    }

    @Override
    public int maxTokenLength() {
        return EXPIRY + MAC + MAX_CID;
    }

    private byte[] mac(long expiry, InetSocketAddress address, byte[] cid) {
        Mac m = macs.get();
        m.update(ByteBuffer.allocate(EXPIRY).putLong(0, expiry));
        m.update(address.getAddress().getAddress());
        m.update(ByteBuffer.allocate(2).putShort(0, (short) address.getPort()));
        m.update(cid);
        return Arrays.copyOf(m.doFinal(), MAC);
    }
}
