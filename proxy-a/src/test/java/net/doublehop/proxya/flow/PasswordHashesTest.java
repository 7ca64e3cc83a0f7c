package net.doublehop.proxya.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHashesTest {

    @Test
    void rfc9106Argon2idVector() {
        // RFC 9106 §5.3: password 32×01, salt 16×02, secret 8×03, associated data 12×04, m=32 KiB, t=3, p=4.
        byte[] tag = PasswordHashes.argon2id(filled(32, 1), filled(16, 2), filled(8, 3), filled(12, 4), 32, 3, 4, 32);
        assertThat(HexFormat.of().formatHex(tag))
                .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    }

    @Test
    void argon2idPhcStrings() {
        byte[] salt = "somesaltsomesalt".getBytes();
        byte[] hash = PasswordHashes.argon2id("wonderland".getBytes(), salt, null, null, 64, 2, 1, 32);
        Base64.Encoder e = Base64.getEncoder().withoutPadding();
        String phc = "$argon2id$v=19$m=64,t=2,p=1$" + e.encodeToString(salt) + "$" + e.encodeToString(hash);
        assertThat(PasswordHashes.isSupported(phc)).isTrue();
        assertThat(PasswordHashes.verify(phc, "wonderland")).isTrue();
        assertThat(PasswordHashes.verify(phc, "wonderlanD")).isFalse();
        assertThat(PasswordHashes.verify(phc.replace("t=2", "t=3"), "wonderland")).isFalse();
    }

    @Test
    void bcrypt() {
        String h = OpenBSDBCrypt.generate("wonderland".toCharArray(), new byte[16], 4);
        assertThat(PasswordHashes.isSupported(h)).isTrue();
        assertThat(PasswordHashes.verify(h, "wonderland")).isTrue();
        assertThat(PasswordHashes.verify(h, "x")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"plaintext", "$1$md5$crypt", "$argon2i$v=19$m=64,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=16$m=64,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=9999999,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=64,t=2,p=0$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"})
    void unsupported(String hash) {
        assertThat(PasswordHashes.isSupported(hash)).isFalse();
        assertThat(PasswordHashes.verify(hash, "x")).isFalse();
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }
}
