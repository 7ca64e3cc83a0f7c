package net.doublehop.proxya.issuer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import net.doublehop.protocol.privacypass.Base64Url;
import net.doublehop.protocol.privacypass.Issuer;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PrivacyPassException;
import net.doublehop.protocol.privacypass.RsaPem;
import net.doublehop.protocol.privacypass.TokenType;
import net.doublehop.proxya.config.ProxyAConfig;
import net.doublehop.runtime.config.ConfigException;

/**
 * The issuer's alive keys (token type 0x0002, RFC 9578 §6.5) in the directory's order of preference: the
 * first is the one clients should use (RFC 9578 §4), the others stay usable so a rotation never strands
 * a client that fetched the directory a moment ago. A TokenRequest names its key only by the last byte of
 * token_key_id, so two keys whose ids end in the same byte are refused at load (RFC 9578 §6.5: issuers
 * "SHOULD ensure that the truncated forms of new key IDs do not collide").
 */
public final class IssuerKeys {

    /** One key: the signer, its published encoding, and the time from which it is in use (absent: always). */
    public record Key(Issuer issuer, Optional<Instant> notBefore) {
        public Key {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(notBefore, "notBefore");
        }

        public IssuerPublicKey publicKey() {
            return issuer.publicKey();
        }

        public boolean inUseAt(Instant now) {
            return notBefore.isEmpty() || !now.isBefore(notBefore.get());
        }
    }

    private final List<Key> keys;
    private final Map<Integer, Key> byTruncatedId = new HashMap<>();

    IssuerKeys(List<Key> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one issuer key");
        }
        this.keys = List.copyOf(keys);
        for (int i = 0; i < keys.size(); i++) {
            Key k = keys.get(i);
            Key clash = byTruncatedId.putIfAbsent(k.publicKey().truncatedTokenKeyId(), k);
            if (clash != null) {
                int first = keys.indexOf(clash);
                throw new ConfigException(clash.publicKey().equals(k.publicKey())
                        ? "issuer.keys[" + i + "] is the same key as issuer.keys[" + first + "]"
                        : String.format("issuer.keys[%d] and issuer.keys[%d] have the same truncated token key id "
                                + "0x%02x, so a TokenRequest could not say which one it is for: replace one of them "
                                + "(RFC 9578 §6.5)", first, i, k.publicKey().truncatedTokenKeyId()));
            }
        }
    }

    /** Reads the configured PKCS#8 files; every problem is a {@link ConfigException} naming the entry and file. */
    public static IssuerKeys load(List<ProxyAConfig.IssuerConfig.KeyFile> files, SecureRandom random) {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            ProxyAConfig.IssuerConfig.KeyFile f = files.get(i);
            String where = "issuer.keys[" + i + "] (" + f.file() + ")";
            String pem;
            try {
                pem = Files.readString(f.file(), StandardCharsets.US_ASCII);
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(where + ": cannot read: " + e.getMessage(), e);
            }
            try {
                keys.add(new Key(new Issuer(RsaPem.privateKeyFromPem(pem), random), f.notBefore()));
            } catch (PrivacyPassException e) {
                throw new ConfigException(where + ": " + e.getMessage() + hint(pem), e);
            }
        }
        return new IssuerKeys(keys);
    }

    /** One fresh 2048-bit key, for development (it dies with the process, and with it every unspent token). */
    public static IssuerKeys generate(SecureRandom random) {
        return new IssuerKeys(List.of(new Key(new Issuer(generatePrivateKey(random), random), Optional.empty())));
    }

    /** A 2048-bit RSA key with e = 65537, as token type 0x0002 needs. */
    public static RSAPrivateCrtKey generatePrivateKey(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(new RSAKeyGenParameterSpec(8 * TokenType.BLIND_RSA_2048_NK, RSAKeyGenParameterSpec.F4),
                    random);
            return (RSAPrivateCrtKey) g.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is not available", e);
        }
    }

    private static String hint(String pem) {
        if (pem.contains("BEGIN RSA PRIVATE KEY")) {
            return " (this is a PKCS#1 key: convert it with 'openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW')";
        }
        if (pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            return " (encrypted keys are not supported: decrypt it with 'openssl pkcs8 -nocrypt')";
        }
        return " (make one with 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out FILE')";
    }

    /** The keys in order of preference. */
    public List<Key> keys() {
        return keys;
    }

    public List<IssuerPublicKey> publicKeys() {
        return keys.stream().map(Key::publicKey).toList();
    }

    /** The key a TokenRequest's truncated_token_key_id names, if any. */
    public Optional<Key> forTruncatedId(int truncatedTokenKeyId) {
        return Optional.ofNullable(byTruncatedId.get(truncatedTokenKeyId));
    }

    /**
     * The issuer directory (RFC 9578 §4): {@code issuer-request-uri} and the keys in order of preference,
     * each with {@code token-type} 2, {@code token-key} (base64url of the §6.5 SPKI, padded) and, when
     * configured, {@code not-before} in seconds since the epoch.
     */
    public String directoryJson(String issuerRequestUri) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("issuer-request-uri", issuerRequestUri);
        ArrayNode list = root.putArray("token-keys");
        for (Key k : keys) {
            ObjectNode o = list.addObject();
            o.put("token-type", TokenType.BLIND_RSA_2048);
            o.put("token-key", Base64Url.encode(k.publicKey().spki()));
            k.notBefore().ifPresent(t -> o.put("not-before", t.getEpochSecond()));
        }
        return root.toString();
    }
}
