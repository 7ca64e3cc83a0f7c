package net.doublehop.protocol.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevPkiTest {

    @TempDir
    Path dir;

    @Test
    void issuesCertificatesTheCaVerifies() throws Exception {
        DevPki pki = DevPki.create("test CA");
        DevPki.Issued server = pki.server("proxy-b", List.of("localhost"), List.of("127.0.0.1", "::1"));
        server.certificate().verify(pki.ca().certificate().getPublicKey());
        assertThat(server.certificate().getSubjectAlternativeNames()).hasSize(3);
        assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        DevPki.Issued client = pki.client("proxy-a");
        client.certificate().verify(pki.ca().certificate().getPublicKey());
        assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(pki.ca().certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void anotherCaDoesNotVerify() {
        DevPki a = DevPki.create("a");
        DevPki b = DevPki.create("b");
        DevPki.Issued fromB = b.client("x");
        assertThatThrownBy(() -> fromB.certificate().verify(a.ca().certificate().getPublicKey()))
                .isInstanceOf(SignatureException.class);
    }

    @Test
    void writesPkcs8KeysWithOwnerOnlyPermissions() throws Exception {
        DevPki.PemFiles files = DevPki.create("c").server("s", List.of("localhost"), List.of()).writeTo(dir, "s");
        assertThat(Files.readString(files.certificate())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(files.privateKey())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(files.privateKey())).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
}
