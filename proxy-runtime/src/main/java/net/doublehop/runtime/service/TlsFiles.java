package net.doublehop.runtime.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import net.doublehop.runtime.config.TlsSettings;

/** The files of a {@code tls} section: what a reload reads again and compares. */
final class TlsFiles {

    private TlsFiles() {
    }

    static List<Path> of(TlsSettings tls) {
        return tls.files();
    }

    static String names(TlsSettings tls) {
        return String.join(", ", of(tls).stream().map(Path::toString).toList());
    }

    /** SHA-256 over the mode, the names and the contents (a file that cannot be read counts as empty). */
    static String digest(TlsSettings tls) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(tls.mode().name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (Path p : of(tls)) {
                sha.update(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try {
                    sha.update(Files.readAllBytes(p));
                } catch (IOException e) {
                    sha.update((byte) 0);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Checks that {@code tls.private-key} belongs to {@code tls.certificate} (a TLS library accepts a mismatched
     * pair when it builds its context and only fails the handshakes): signs a random value with the key and
     * verifies it with the certificate's public key. Throws {@link IllegalStateException} saying which.
     */
    static void checkKeyMatchesCertificate(io.vertx.core.Vertx vertx, TlsSettings tls) throws Exception {
        if (tls.mode() != TlsSettings.Mode.FILES) {
            return;
        }
        javax.net.ssl.KeyManagerFactory kmf = net.doublehop.runtime.transport.TlsMaterial.serverKeys(vertx, tls, null);
        for (javax.net.ssl.KeyManager km : kmf.getKeyManagers()) {
            if (km instanceof javax.net.ssl.X509KeyManager x) {
                for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519")) {
                    String[] aliases = x.getServerAliases(type, null);
                    if (aliases == null) {
                        continue;
                    }
                    for (String alias : aliases) {
                        java.security.PrivateKey key = x.getPrivateKey(alias);
                        java.security.cert.X509Certificate[] chain = x.getCertificateChain(alias);
                        if (key != null && chain != null && chain.length > 0 && !matches(key, chain[0].getPublicKey())) {
                            throw new IllegalStateException("tls.private-key does not belong to tls.certificate");
                        }
                    }
                }
            }
        }
    }

    private static boolean matches(java.security.PrivateKey key, java.security.PublicKey pub) throws Exception {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (alg == null || !key.getAlgorithm().equals(pub.getAlgorithm())) {
            return alg == null; // an algorithm we do not know: left to the TLS library
        }
        byte[] challenge = new byte[32];
        new java.security.SecureRandom().nextBytes(challenge);
        java.security.Signature signer = java.security.Signature.getInstance(alg);
        signer.initSign(key);
        signer.update(challenge);
        byte[] sig = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(alg);
        verifier.initVerify(pub);
        verifier.update(challenge);
        return verifier.verify(sig);
    }
}
