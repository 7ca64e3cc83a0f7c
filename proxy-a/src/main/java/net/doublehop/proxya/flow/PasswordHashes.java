package net.doublehop.proxya.flow;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The password hashes the user file may hold: bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}, as
 * {@code htpasswd -B} writes) and Argon2id in the PHC string format ({@code $argon2id$v=19$m=…,t=…,p=…$salt$hash},
 * as the reference {@code argon2} tool and libsodium write), verified with BouncyCastle.
 */
public final class PasswordHashes {

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private static final Pattern ARGON2ID = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]{11,86})\\$([A-Za-z0-9+/]{16,86})");

    /** Refuse parameters that would let a user file make every login cost seconds or gigabytes. */
    static final int MAX_MEMORY_KIB = 1 << 20;

    private PasswordHashes() {
    }

    public static boolean isSupported(String hash) {
        Matcher a = ARGON2ID.matcher(hash);
        return BCRYPT.matcher(hash).matches()
                || (a.matches() && Integer.parseInt(a.group(1)) <= MAX_MEMORY_KIB && Integer.parseInt(a.group(3)) >= 1);
    }

    public static boolean verify(String hash, String password) {
        if (BCRYPT.matcher(hash).matches()) {
            return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
        }
        Matcher a = ARGON2ID.matcher(hash);
        if (!a.matches() || !isSupported(hash)) {
            return false;
        }
        Base64.Decoder b64 = Base64.getDecoder(); // PHC strings use standard base64 without padding
        byte[] salt = b64.decode(a.group(4));
        byte[] expected = b64.decode(a.group(5));
        byte[] actual = argon2id(password.getBytes(StandardCharsets.UTF_8), salt, null, null,
                Integer.parseInt(a.group(1)), Integer.parseInt(a.group(2)), Integer.parseInt(a.group(3)), expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    /** RFC 9106 Argon2id, version 0x13. */
    static byte[] argon2id(byte[] password, byte[] salt, byte[] secret, byte[] ad, int memoryKib, int iterations,
            int parallelism, int length) {
        Argon2Parameters.Builder b = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism).withSalt(salt);
        if (secret != null) {
            b.withSecret(secret);
        }
        if (ad != null) {
            b.withAdditional(ad);
        }
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(b.build());
        byte[] out = new byte[length];
        g.generateBytes(password, out);
        return out;
    }
}
