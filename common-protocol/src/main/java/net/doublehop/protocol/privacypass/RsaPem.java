package net.doublehop.protocol.privacypass;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * RSA keys from PEM and DER. Public keys are SubjectPublicKeyInfo ("PUBLIC KEY") with either the
 * rsaEncryption OID or the id-RSASSA-PSS OID (which RFC 9578 §6.5 requires on the wire and which the
 * JDK's "RSA" KeyFactory refuses); private keys are PKCS#8 ("PRIVATE KEY") with either OID. The ASN.1
 * is read with BouncyCastle and the key built by the JDK, so both OIDs take the same path.
 */
public final class RsaPem {

    private RsaPem() {
    }

    public static RSAPublicKey publicKeyFromPem(String pem) {
        return publicKeyFromSpki(pemBody(pem, "PUBLIC KEY"));
    }

    public static RSAPublicKey publicKeyFromSpki(byte[] der) {
        SubjectPublicKeyInfo spki = spki(der);
        requireRsaOid(spki.getAlgorithm().getAlgorithm());
        try {
            org.bouncycastle.asn1.pkcs.RSAPublicKey k =
                    org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey());
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
        } catch (java.io.IOException | RuntimeException | GeneralSecurityException e) {
            // BouncyCastle reports bad DER with assorted runtime exceptions
            throw new MalformedException(Reason.INVALID_KEY, "subjectPublicKey is not an RSAPublicKey");
        }
    }

    /** A PKCS#8 RSA private key; it must carry its CRT values, since BlindSign needs e and uses CRT. */
    public static RSAPrivateCrtKey privateKeyFromPem(String pem) {
        byte[] der = pemBody(pem, "PRIVATE KEY");
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(der);
            requireRsaOid(info.getPrivateKeyAlgorithm().getAlgorithm());
            org.bouncycastle.asn1.pkcs.RSAPrivateKey k =
                    org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(info.parsePrivateKey());
            if (!k.getPrime1().multiply(k.getPrime2()).equals(k.getModulus())) {
                throw new MalformedException(Reason.INVALID_KEY, "p * q != n");
            }
            return (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(
                    k.getModulus(), k.getPublicExponent(), k.getPrivateExponent(), k.getPrime1(), k.getPrime2(),
                    k.getExponent1(), k.getExponent2(), k.getCoefficient()));
        } catch (MalformedException e) {
            throw e;
        } catch (java.io.IOException | RuntimeException | GeneralSecurityException e) {
            // BouncyCastle reports bad DER with assorted runtime exceptions
            throw new MalformedException(Reason.INVALID_KEY, "not a PKCS#8 RSA private key");
        }
    }

    /** The public half of a private key. */
    public static RSAPublicKey publicKeyOf(RSAPrivateCrtKey sk) {
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(sk.getModulus(), sk.getPublicExponent()));
        } catch (GeneralSecurityException e) {
            throw new MalformedException(Reason.INVALID_KEY, "not an RSA key");
        }
    }

    public static String toPem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    static SubjectPublicKeyInfo spki(byte[] der) {
        try {
            return SubjectPublicKeyInfo.getInstance(der);
        } catch (RuntimeException e) { // BouncyCastle reports bad DER with assorted runtime exceptions
            throw new MalformedException(Reason.INVALID_KEY, "not a DER SubjectPublicKeyInfo");
        }
    }

    private static void requireRsaOid(ASN1ObjectIdentifier oid) {
        if (!oid.equals(PKCSObjectIdentifiers.rsaEncryption) && !oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
            throw new MalformedException(Reason.INVALID_KEY, "algorithm " + oid + " is not RSA");
        }
    }

    static byte[] pemBody(String pem, String label) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem == null ? -1 : pem.indexOf(begin);
        int e = b < 0 ? -1 : pem.indexOf(end, b);
        if (e < 0) {
            throw new MalformedException(Reason.INVALID_KEY, "expected a PEM '" + label + "' block");
        }
        try {
            return Base64.getDecoder().decode(pem.substring(b + begin.length(), e).replaceAll("\\s", ""));
        } catch (IllegalArgumentException ex) {
            throw new MalformedException(Reason.INVALID_KEY, "PEM '" + label + "' block is not base64");
        }
    }
}
