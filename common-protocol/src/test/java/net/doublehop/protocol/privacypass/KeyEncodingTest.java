package net.doublehop.protocol.privacypass;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.Test;

/** The RFC 9578 §6.5 key encoding, and RSA keys from PEM with either OID. */
class KeyEncodingTest {

    static final byte[] PKS = Vectors.rfc9578().get(0).bytes("pkS");

    @Test
    void publicKeyPemWithEitherOidGivesTheSameIssuerKey() {
        String pssPem = RsaPem.toPem("PUBLIC KEY", PKS);
        String rsaPem = RsaPem.toPem("PUBLIC KEY", Keys.ISSUER_PUBLIC.getEncoded()); // JDK: rsaEncryption OID
        assertThat(Keys.ISSUER_PUBLIC.getEncoded()).isNotEqualTo(PKS);
        assertThat(RsaPem.publicKeyFromPem(pssPem)).isEqualTo(Keys.ISSUER_PUBLIC);
        assertThat(RsaPem.publicKeyFromPem(rsaPem)).isEqualTo(Keys.ISSUER_PUBLIC);
        assertThat(IssuerPublicKey.fromPem(pssPem).spki()).isEqualTo(PKS);
        assertThat(IssuerPublicKey.fromPem(rsaPem).spki()).isEqualTo(PKS);
        assertThat(IssuerPublicKey.fromPem(pssPem).toPem()).isEqualTo(pssPem);
    }

    @Test
    void privateKeyPemRoundTrips() {
        String pem = RsaPem.toPem("PRIVATE KEY", Keys.ISSUER_PRIVATE.getEncoded());
        assertThat(RsaPem.privateKeyFromPem(pem)).isEqualTo(Keys.ISSUER_PRIVATE);
        assertInvalidKey(() -> RsaPem.privateKeyFromPem(RsaPem.toPem("PRIVATE KEY", new byte[] {0x30, 0x00})));
        assertInvalidKey(() -> RsaPem.privateKeyFromPem(RsaPem.toPem("PUBLIC KEY", PKS)));
        assertInvalidKey(() -> RsaPem.privateKeyFromPem("-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----"));
    }

    @Test
    void tokenKeyMustBeTheRsassaPssEncodingWithTheTokenTypesParameters() throws Exception {
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(Keys.ISSUER_PUBLIC.getEncoded())); // rsaEncryption
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(new byte[] {1, 2, 3}));
        AlgorithmIdentifier sha384 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384);
        AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256);
        AlgorithmIdentifier mgf384 = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha384);
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(pss(new RSASSAPSSparams(sha384, mgf384, new ASN1Integer(32),
                RSASSAPSSparams.DEFAULT_TRAILER_FIELD), Keys.ISSUER_PUBLIC)));
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(pss(new RSASSAPSSparams(sha256, mgf384, new ASN1Integer(48),
                RSASSAPSSparams.DEFAULT_TRAILER_FIELD), Keys.ISSUER_PUBLIC)));
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(pss(new RSASSAPSSparams(sha384,
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256), new ASN1Integer(48),
                RSASSAPSSparams.DEFAULT_TRAILER_FIELD), Keys.ISSUER_PUBLIC)));
        // §6.5 wants saltLength present, so the default (20) from an absent field is refused even if it were 48.
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(pss(new RSASSAPSSparams(sha384, mgf384,
                RSASSAPSSparams.DEFAULT_SALT_LENGTH, RSASSAPSSparams.DEFAULT_TRAILER_FIELD), Keys.ISSUER_PUBLIC)));
        // NULL hash parameters are an accepted spelling (RFC 4055 §2.1); the id is over the bytes as sent.
        AlgorithmIdentifier sha384Null = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha384, DERNull.INSTANCE);
        byte[] withNulls = pss(new RSASSAPSSparams(sha384Null,
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha384Null), new ASN1Integer(48),
                RSASSAPSSparams.DEFAULT_TRAILER_FIELD), Keys.ISSUER_PUBLIC);
        IssuerPublicKey k = IssuerPublicKey.fromSpki(withNulls);
        assertThat(k.key()).isEqualTo(Keys.ISSUER_PUBLIC);
        assertThat(k.tokenKeyId()).isEqualTo(Bytes.sha256(withNulls)).isNotEqualTo(Bytes.sha256(PKS));
    }

    @Test
    void pkcs8WithTheRsassaPssOidIsReadToo() throws Exception {
        PrivateKeyInfo rsa = PrivateKeyInfo.getInstance(Keys.ISSUER_PRIVATE.getEncoded());
        byte[] pss = new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS),
                rsa.parsePrivateKey()).getEncoded(ASN1Encoding.DER);
        assertThat(RsaPem.privateKeyFromPem(RsaPem.toPem("PRIVATE KEY", pss))).isEqualTo(Keys.ISSUER_PRIVATE);
    }

    @Test
    void spkiWithTrailingBytesIsRefused() {
        byte[] longer = java.util.Arrays.copyOf(PKS, PKS.length + 1);
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(longer));
        assertInvalidKey(() -> IssuerPublicKey.fromSpki(java.util.Arrays.copyOf(PKS, PKS.length - 1)));
    }

    @Test
    void tokenTypeTwoNeedsA2048BitModulus() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(3072);
        RSAPublicKey big = (RSAPublicKey) g.generateKeyPair().getPublic();
        assertInvalidKey(() -> IssuerPublicKey.of(big));
    }

    static byte[] pss(RSASSAPSSparams params, RSAPublicKey key) throws IOException {
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, params),
                new org.bouncycastle.asn1.pkcs.RSAPublicKey(key.getModulus(), key.getPublicExponent()))
                .getEncoded(ASN1Encoding.DER);
    }

    static void assertInvalidKey(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(MalformedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_KEY));
    }
}
