package net.doublehop.protocol.privacypass;

import java.io.IOException;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * An issuer's token type 0x0002 public key together with its encoding (RFC 9578 §6.5): a DER
 * SubjectPublicKeyInfo with the id-RSASSA-PSS OID and RSASSA-PSS-params naming SHA-384, MGF1 with
 * SHA-384 and a 48-byte salt. That encoding is the token-key of a challenge, and
 * token_key_id = SHA-256(encoding). The bytes are kept as received, since the id is over them.
 */
public record IssuerPublicKey(RSAPublicKey key, byte[] spki) {

    /** Salt length of token type 0x0002: the SHA-384 output size (§6.5 "MUST match"). */
    public static final int SALT_LENGTH = 48;

    public IssuerPublicKey {
        Objects.requireNonNull(key, "key");
        spki = spki.clone();
        RSAPublicKey encoded = RsaPem.publicKeyFromSpki(spki);
        if (!encoded.getModulus().equals(key.getModulus())
                || !encoded.getPublicExponent().equals(key.getPublicExponent())) {
            throw new IllegalArgumentException("spki does not encode key");
        }
        requireTokenTypeParameters(spki);
        if (key.getModulus().bitLength() != 8 * TokenType.BLIND_RSA_2048_NK) {
            throw new MalformedException(Reason.INVALID_KEY,
                    "token type 0x0002 needs a 2048-bit modulus, not " + key.getModulus().bitLength());
        }
    }

    /** The key with the encoding RFC 9578 §6.5 defines (what an issuer publishes). */
    public static IssuerPublicKey of(RSAPublicKey key) {
        try {
            SubjectPublicKeyInfo info = new SubjectPublicKeyInfo(pssAlgorithm(),
                    new org.bouncycastle.asn1.pkcs.RSAPublicKey(key.getModulus(), key.getPublicExponent()));
            return new IssuerPublicKey(key, info.getEncoded(ASN1Encoding.DER));
        } catch (IOException e) {
            throw new IllegalStateException("DER encoding failed", e);
        }
    }

    /** A token-key as received (e.g. from a challenge or directory): it must be the §6.5 encoding. */
    public static IssuerPublicKey fromSpki(byte[] der) {
        return new IssuerPublicKey(RsaPem.publicKeyFromSpki(der), der);
    }

    /** A "PUBLIC KEY" PEM: kept as is if it has the RSASSA-PSS OID, else re-encoded as §6.5 says. */
    public static IssuerPublicKey fromPem(String pem) {
        byte[] der = RsaPem.pemBody(pem, "PUBLIC KEY");
        if (RsaPem.spki(der).getAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
            return fromSpki(der);
        }
        return of(RsaPem.publicKeyFromSpki(der));
    }

    /** token_key_id = SHA-256(encoded key) (§6.5). */
    public byte[] tokenKeyId() {
        return Bytes.sha256(spki);
    }

    /** truncated_token_key_id: the last byte of token_key_id (§6.1). */
    public int truncatedTokenKeyId() {
        byte[] id = tokenKeyId();
        return id[id.length - 1] & 0xff;
    }

    public String toPem() {
        return RsaPem.toPem("PUBLIC KEY", spki);
    }

    @Override
    public byte[] spki() {
        return spki.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IssuerPublicKey k && Arrays.equals(k.spki, spki);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(spki);
    }

    @Override
    public String toString() {
        return "IssuerPublicKey[token_key_id=" + Bytes.hex(tokenKeyId()) + "]";
    }

    private static AlgorithmIdentifier pssAlgorithm() {
        AlgorithmIdentifier sha384 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384);
        return new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, new RSASSAPSSparams(sha384,
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha384), new ASN1Integer(SALT_LENGTH),
                RSASSAPSSparams.DEFAULT_TRAILER_FIELD));
    }

    /**
     * §6.5: the id-RSASSA-PSS OID, with parameters that include hashAlgorithm, maskGenAlgorithm and
     * saltLength (present, not defaulted), naming SHA-384, MGF1-SHA-384 and 48. The trailer field may
     * only be its default. Absent or NULL hash parameters are both accepted (RFC 4055 §2.1).
     */
    private static void requireTokenTypeParameters(byte[] der) {
        AlgorithmIdentifier alg = RsaPem.spki(der).getAlgorithm();
        if (!alg.getAlgorithm().equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
            throw new MalformedException(Reason.INVALID_KEY, "token-key must use the id-RSASSA-PSS OID");
        }
        if (alg.getParameters() == null) {
            throw new MalformedException(Reason.INVALID_KEY, "RSASSA-PSS parameters are required");
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(alg.getParameters());
            boolean[] present = new boolean[4];
            for (ASN1Encodable e : seq) {
                int tag = ASN1TaggedObject.getInstance(e).getTagNo();
                if (tag < 0 || tag > 3 || present[tag]) {
                    throw new IllegalArgumentException("unexpected field [" + tag + "]");
                }
                present[tag] = true;
            }
            RSASSAPSSparams p = RSASSAPSSparams.getInstance(seq);
            AlgorithmIdentifier mgf = p.getMaskGenAlgorithm();
            boolean ok = present[0] && present[1] && present[2]
                    && isSha384(p.getHashAlgorithm())
                    && mgf.getAlgorithm().equals(PKCSObjectIdentifiers.id_mgf1)
                    && isSha384(AlgorithmIdentifier.getInstance(mgf.getParameters()))
                    && p.getSaltLength().intValueExact() == SALT_LENGTH
                    && p.getTrailerField().intValueExact() == 1;
            if (!ok) {
                throw new MalformedException(Reason.INVALID_KEY,
                        "RSASSA-PSS parameters must be SHA-384, MGF1-SHA-384, salt 48");
            }
        } catch (MalformedException e) {
            throw e;
        } catch (RuntimeException e) { // BouncyCastle reports bad DER with assorted runtime exceptions
            throw new MalformedException(Reason.INVALID_KEY, "unreadable RSASSA-PSS parameters");
        }
    }

    private static boolean isSha384(AlgorithmIdentifier a) {
        return a != null && a.getAlgorithm().equals(NISTObjectIdentifiers.id_sha384)
                && (a.getParameters() == null || a.getParameters().equals(org.bouncycastle.asn1.DERNull.INSTANCE));
    }
}
