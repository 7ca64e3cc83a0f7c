package net.doublehop.protocol.pki;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority for development and tests: EC P-256 keys, a CA, server
 * certificates for loopback names, client certificates for mTLS. Keys are made fresh at run time and
 * written only where the caller says (never into the repository).
 */
public final class DevPki {

    /** A certificate and its private key, as PEM text. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {

        public String certificatePem() {
            return pem(certificate);
        }

        public String privateKeyPem() {
            return pem(keyPair.getPrivate());
        }

        /** Writes {@code name.crt} and {@code name.key} (mode 600 where the file system allows) into dir. */
        public PemFiles writeTo(Path dir, String name) {
            Path crt = dir.resolve(name + ".crt");
            Path key = dir.resolve(name + ".key");
            write(crt, certificatePem());
            write(key, privateKeyPem());
            restrict(key);
            return new PemFiles(crt, key);
        }
    }

    /** Where {@link Issued#writeTo} put the two files. */
    public record PemFiles(Path certificate, Path privateKey) { }

    private static final Duration VALIDITY = Duration.ofDays(30);

    private final Issued ca;
    private final SecureRandom random = new SecureRandom();

    private DevPki(Issued ca) {
        this.ca = ca;
    }

    /** A new CA with the given common name. */
    public static DevPki create(String caName) {
        KeyPair kp = newKeyPair();
        X500Name name = new X500Name("CN=" + caName);
        try {
            JcaX509v3CertificateBuilder b = builder(name, name, kp, new SecureRandom());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(kp.getPublic()));
            return new DevPki(new Issued(sign(b, kp), kp));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create development CA", e);
        }
    }

    public Issued ca() {
        return ca;
    }

    /** A TLS server certificate for the given DNS names and IP literals. */
    public Issued server(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        List<GeneralName> sans = new ArrayList<>();
        dnsNames.forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
        ipAddresses.forEach(ip -> sans.add(new GeneralName(GeneralName.iPAddress, ip)));
        return issue(commonName, KeyPurposeId.id_kp_serverAuth, sans);
    }

    /** A TLS client certificate (for mTLS). */
    public Issued client(String commonName) {
        return issue(commonName, KeyPurposeId.id_kp_clientAuth, List.of());
    }

    private Issued issue(String commonName, KeyPurposeId purpose, List<GeneralName> sans) {
        KeyPair kp = newKeyPair();
        try {
            X500Name issuer = new X500Name(ca.certificate().getSubjectX500Principal().getName());
            JcaX509v3CertificateBuilder b = builder(issuer, new X500Name("CN=" + commonName), kp, random);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(ca.certificate()));
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            return new Issued(sign(b, ca.keyPair()), kp);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue development certificate", e);
        }
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair kp,
            SecureRandom random) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, random).abs().add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject, kp.getPublic());
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer)
            throws GeneralSecurityException {
        try {
            X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(signer.getPrivate()));
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is required by every JDK", e);
        }
    }

    static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            // Private keys as PKCS#8 ("BEGIN PRIVATE KEY"), the form every TLS stack reads.
            w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void restrict(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: the caller's directory permissions have to do.
        }
    }
}
