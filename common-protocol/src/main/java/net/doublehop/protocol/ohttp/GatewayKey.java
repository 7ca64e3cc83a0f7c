package net.doublehop.protocol.ohttp;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A gateway's key: its X25519 private key and the key configuration it publishes. Files are PKCS#8 PEM
 * ({@code -----BEGIN PRIVATE KEY-----}, OID 1.3.101.110), as {@code openssl genpkey -algorithm X25519}
 * writes them. {@link #toString()} never shows the private key.
 */
public final class GatewayKey {

    /** What a configuration offers unless told otherwise: the two AEADs RFC 9458's example lists. */
    public static final List<SymmetricAlgorithm> DEFAULT_ALGORITHMS = List.of(
            SymmetricAlgorithm.HKDF_SHA256_AES_128_GCM, SymmetricAlgorithm.HKDF_SHA256_CHACHA20_POLY1305);

    private final KeyConfig config;
    private final X25519PrivateKeyParameters privateKey;
    private final AsymmetricCipherKeyPair keyPair;

    private GatewayKey(int keyId, X25519PrivateKeyParameters privateKey, List<SymmetricAlgorithm> algorithms) {
        for (SymmetricAlgorithm a : algorithms) {
            if (!a.supported()) {
                throw new IllegalArgumentException("unsupported KDF/AEAD pair " + a.kdfId() + "/" + a.aeadId());
            }
        }
        this.privateKey = privateKey;
        this.keyPair = new AsymmetricCipherKeyPair(privateKey.generatePublicKey(), privateKey);
        this.config = new KeyConfig(keyId, HpkeSuite.KEM_X25519_SHA256,
                ((org.bouncycastle.crypto.params.X25519PublicKeyParameters) keyPair.getPublic()).getEncoded(),
                algorithms);
    }

    /** A fresh key. */
    public static GatewayKey generate(int keyId, List<SymmetricAlgorithm> algorithms, SecureRandom random) {
        return new GatewayKey(keyId, new X25519PrivateKeyParameters(random), algorithms);
    }

    /** A key from its 32 raw bytes (RFC 7748 scalar; RFC 9180 §7.1.2 SerializePrivateKey). */
    public static GatewayKey fromPrivateKey(int keyId, byte[] rawPrivateKey, List<SymmetricAlgorithm> algorithms) {
        if (rawPrivateKey.length != X25519PrivateKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("an X25519 private key is 32 bytes");
        }
        return new GatewayKey(keyId, new X25519PrivateKeyParameters(rawPrivateKey, 0), algorithms);
    }

    /** A key from PKCS#8 PEM; {@link IllegalArgumentException} says what is wrong with the text. */
    public static GatewayKey fromPem(int keyId, String pem, List<SymmetricAlgorithm> algorithms) {
        PemObject object;
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            object = reader.readPemObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a PEM file");
        }
        if (object == null || !object.getType().equals("PRIVATE KEY")) {
            throw new IllegalArgumentException("expected a PKCS#8 PEM block (BEGIN PRIVATE KEY)");
        }
        AsymmetricKeyParameter key;
        try {
            key = PrivateKeyFactory.createKey(PrivateKeyInfo.getInstance(object.getContent()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a readable PKCS#8 private key");
        }
        if (!(key instanceof X25519PrivateKeyParameters x)) {
            throw new IllegalArgumentException("not an X25519 key (openssl genpkey -algorithm X25519)");
        }
        return new GatewayKey(keyId, x, algorithms);
    }

    /** The private key as PKCS#8 PEM, for writing a generated key to a file. */
    public String toPem() {
        try {
            StringWriter text = new StringWriter();
            try (PemWriter w = new PemWriter(text)) {
                w.writeObject(new PemObject("PRIVATE KEY",
                        PrivateKeyInfoFactory.createPrivateKeyInfo(privateKey).getEncoded()));
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KeyConfig config() {
        return config;
    }

    public int keyId() {
        return config.keyId();
    }

    AsymmetricCipherKeyPair keyPair() {
        return keyPair;
    }

    @Override
    public String toString() {
        return "GatewayKey[" + config + "]";
    }
}
