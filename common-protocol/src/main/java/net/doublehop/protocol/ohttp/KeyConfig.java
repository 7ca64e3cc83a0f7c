package net.doublehop.protocol.ohttp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A key configuration (RFC 9458 §3.1): key identifier, KEM, the gateway's public key and the KDF / AEAD
 * pairs it accepts with that key. Lists of them travel as {@code application/ohttp-keys} (§3.2), see
 * {@link #encodeList} and {@link #decodeList}.
 *
 * <p>Only DHKEM(X25519, HKDF-SHA256) keys can be built or decoded here (the public key's length depends
 * on the KEM, so a configuration of another KEM cannot even be parsed past its KEM id); a list that holds
 * one is refused whole, as §3.2 asks of any encoding error.
 */
public record KeyConfig(int keyId, int kemId, byte[] publicKey, List<SymmetricAlgorithm> algorithms) {

    public KeyConfig {
        if (keyId < 0 || keyId > 255) {
            throw new IllegalArgumentException("key identifier is one byte: " + keyId);
        }
        if (!HpkeSuite.supportsKem(kemId)) {
            throw new IllegalArgumentException("unsupported KEM " + kemId);
        }
        if (publicKey.length != HpkeSuite.X25519_KEY_LENGTH) {
            throw new IllegalArgumentException("an X25519 public key is 32 bytes");
        }
        publicKey = publicKey.clone();
        algorithms = List.copyOf(algorithms);
        if (algorithms.isEmpty() || algorithms.size() > 16383) {
            throw new IllegalArgumentException("1 to 16383 symmetric algorithms (RFC 9458 §3.1: 4..65532 bytes)");
        }
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The pairs of {@link #algorithms()} this package can use. */
    public List<SymmetricAlgorithm> supportedAlgorithms() {
        return algorithms.stream().filter(SymmetricAlgorithm::supported).toList();
    }

    /** The §3.1 encoding of this one configuration (no length prefix). */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(1 + 2 + publicKey.length + 2 + 4 * algorithms.size());
        b.put((byte) keyId).putShort((short) kemId).put(publicKey).putShort((short) (4 * algorithms.size()));
        for (SymmetricAlgorithm a : algorithms) {
            b.putShort((short) a.kdfId()).putShort((short) a.aeadId());
        }
        return b.array();
    }

    /** Decodes one configuration that fills {@code bytes} exactly. */
    public static KeyConfig decode(byte[] bytes) throws OhttpException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        KeyConfig config = read(b);
        if (b.hasRemaining()) {
            throw malformed(b.remaining() + " bytes after the key configuration");
        }
        return config;
    }

    /** {@code application/ohttp-keys}: each configuration prefixed by its 2-byte length (§3.2). */
    public static byte[] encodeList(List<KeyConfig> configs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (KeyConfig c : configs) {
            byte[] one = c.encode();
            out.write(one.length >>> 8);
            out.write(one.length);
            out.writeBytes(one);
        }
        return out.toByteArray();
    }

    /**
     * Decodes {@code application/ohttp-keys}. Any encoding error discards the whole list, as RFC 9458 §3.2
     * requires ("Clients MUST discard incorrectly encoded key configuration collections").
     */
    public static List<KeyConfig> decodeList(byte[] bytes) throws OhttpException {
        List<KeyConfig> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            if (b.remaining() < 2) {
                throw malformed("list ends inside a length prefix");
            }
            int length = b.getShort() & 0xffff;
            if (length > b.remaining()) {
                throw malformed("key configuration longer than the list");
            }
            ByteBuffer one = b.slice(b.position(), length);
            b.position(b.position() + length);
            KeyConfig config = read(one);
            if (one.hasRemaining()) {
                throw malformed("bytes after a key configuration inside its length");
            }
            out.add(config);
        }
        if (out.isEmpty()) {
            throw malformed("empty key configuration list (§3.2: one or more)");
        }
        return out;
    }

    private static KeyConfig read(ByteBuffer b) throws OhttpException {
        if (b.remaining() < 3) {
            throw malformed("key configuration ends inside its header");
        }
        int keyId = b.get() & 0xff;
        int kemId = b.getShort() & 0xffff;
        if (!HpkeSuite.supportsKem(kemId)) {
            throw new OhttpException(OhttpException.Reason.UNSUPPORTED_ALGORITHM, "unsupported KEM " + kemId);
        }
        if (b.remaining() < HpkeSuite.X25519_KEY_LENGTH + 2) {
            throw malformed("key configuration ends inside its public key");
        }
        byte[] pk = new byte[HpkeSuite.X25519_KEY_LENGTH];
        b.get(pk);
        int algLength = b.getShort() & 0xffff;
        if (algLength < 4 || algLength % 4 != 0 || algLength > b.remaining()) {
            throw malformed("symmetric algorithms length " + algLength + " is not a multiple of 4 in 4..65532 "
                    + "within the configuration");
        }
        List<SymmetricAlgorithm> algs = new ArrayList<>();
        for (int i = 0; i < algLength / 4; i++) {
            algs.add(new SymmetricAlgorithm(b.getShort() & 0xffff, b.getShort() & 0xffff));
        }
        return new KeyConfig(keyId, kemId, pk, algs);
    }

    private static OhttpException malformed(String detail) {
        return new OhttpException(OhttpException.Reason.MALFORMED, detail);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyConfig k && keyId == k.keyId && kemId == k.kemId
                && Arrays.equals(publicKey, k.publicKey) && algorithms.equals(k.algorithms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyId, kemId, Arrays.hashCode(publicKey), algorithms);
    }

    @Override
    public String toString() {
        return "KeyConfig[id " + keyId + ", KEM " + kemId + ", " + HexFormat.of().formatHex(publicKey) + ", "
                + algorithms + "]";
    }
}
