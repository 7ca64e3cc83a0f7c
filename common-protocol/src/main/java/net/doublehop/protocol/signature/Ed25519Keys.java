package net.doublehop.protocol.signature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/** Ed25519 keys (RFC 8032) with the JDK's provider: generation, PEM in and out, raw 32-byte public keys. */
public final class Ed25519Keys {

    /** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the raw 32-byte key follows it. */
    private static final byte[] SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is required (JDK 15+)", e);
        }
    }

    public static PrivateKey privateKeyFromPem(String pem) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 PKCS#8 private key");
        }
    }

    public static PublicKey publicKeyFromPem(String pem) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY")));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return privateKeyFromPem(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static PublicKey readPublicKey(Path file) throws IOException {
        return publicKeyFromPem(Files.readString(file, StandardCharsets.US_ASCII));
    }

    public static String toPem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    public static String toPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** The public key of an Ed25519 private key (RFC 8032 §5.1.5), so a JWKS can be served for a configured key. */
    public static PublicKey publicKeyOf(PrivateKey key) {
        byte[] pkcs8 = key.getEncoded();
        // PKCS#8 Ed25519 (RFC 8410 §7) ends with the 32-byte seed wrapped in an OCTET STRING.
        byte[] seed = Arrays.copyOfRange(pkcs8, pkcs8.length - 32, pkcs8.length);
        return publicKeyFromRaw(new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(seed, 0)
                .generatePublicKey().getEncoded());
    }

    /** The raw 32-byte public key, as JWK {@code x} (RFC 8037 §2) carries it. */
    public static byte[] rawPublicKey(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki.length != SPKI_PREFIX.length + 32
                || !Arrays.equals(Arrays.copyOf(spki, SPKI_PREFIX.length), SPKI_PREFIX)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
    }

    public static PublicKey publicKeyFromRaw(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("Ed25519 public keys are 32 bytes");
        }
        byte[] spki = Arrays.copyOf(SPKI_PREFIX, SPKI_PREFIX.length + 32);
        System.arraycopy(raw, 0, spki, SPKI_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a valid Ed25519 public key");
        }
    }

    private static byte[] der(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("expected a PEM '" + label + "' block");
        }
        String body = pem.substring(b + begin.length(), e).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("PEM '" + label + "' block is not valid base64");
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
