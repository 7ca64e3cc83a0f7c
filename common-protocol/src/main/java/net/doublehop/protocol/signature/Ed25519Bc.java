package net.doublehop.protocol.signature;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Optional;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 (RFC 8032, pure, no context) with BouncyCastle's low-level implementation, for keys held as JCA keys.
 * The JDK's SunEC Ed25519 costs several times as much time and allocation per operation (docs/performance.md);
 * Ed25519 is deterministic, so the signatures are the same bytes. Verification is strict as RFC 8032 §5.1.7
 * requires: a non-canonical R or an S not below the group order is refused. The conversions return null for a
 * key they cannot convert (a provider's key without a standard encoding, an encoding that is not a point):
 * callers then keep the JDK's implementation for that key, so behaviour for such keys does not change.
 */
final class Ed25519Bc {

    private Ed25519Bc() {
    }

    /** BouncyCastle's form of an Ed25519 private key (its 32-byte seed), or null. */
    static Ed25519PrivateKeyParameters privateKey(PrivateKey key) {
        if (key instanceof EdECPrivateKey ed
                && NamedParameterSpec.ED25519.getName().equalsIgnoreCase(ed.getParams().getName())) {
            Optional<byte[]> seed = ed.getBytes();
            if (seed.isPresent() && seed.get().length == Ed25519PrivateKeyParameters.KEY_SIZE) {
                return new Ed25519PrivateKeyParameters(seed.get(), 0);
            }
        }
        byte[] pkcs8 = key.getEncoded();
        if (pkcs8 == null) {
            return null;
        }
        try {
            AsymmetricKeyParameter p = PrivateKeyFactory.createKey(pkcs8);
            return p instanceof Ed25519PrivateKeyParameters ed ? ed : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** BouncyCastle's form of an Ed25519 public key (decoded once, so each verification skips it), or null. */
    static Ed25519PublicKeyParameters publicKey(PublicKey key) {
        try {
            return new Ed25519PublicKeyParameters(Ed25519Keys.rawPublicKey(key), 0);
        } catch (RuntimeException e) { // not an Ed25519 SubjectPublicKeyInfo, or not a point of the curve
            return null;
        }
    }

    /**
     * The 64-byte signature of {@code message} by the 32-byte private key {@code seed}, whose encoded public key
     * the caller derived once ({@code Ed25519PrivateKeyParameters.generatePublicKey().getEncoded()}). Calls the
     * RFC 8032 primitive directly: the key-parameter wrapper's sign takes a lock and re-encodes the public key on
     * every call.
     */
    static byte[] sign(byte[] seed, byte[] publicKey, byte[] message) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, publicKey, 0, message, 0, message.length, signature, 0);
        return signature;
    }

    /** Whether {@code signature} is a valid, canonically encoded Ed25519 signature of {@code message}. */
    static boolean verify(Ed25519PublicKeyParameters publicKey, byte[] message, byte[] signature) {
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        try {
            return publicKey.verify(Ed25519.Algorithm.Ed25519, null, message, 0, message.length, signature, 0);
        } catch (RuntimeException e) { // as the JDK's path: a failure to verify is an invalid signature
            return false;
        }
    }
}
