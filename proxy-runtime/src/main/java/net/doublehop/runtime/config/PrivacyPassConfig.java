package net.doublehop.runtime.config;

import static net.doublehop.runtime.config.YamlNodes.allowOnly;
import static net.doublehop.runtime.config.YamlNodes.duration;
import static net.doublehop.runtime.config.YamlNodes.integer;
import static net.doublehop.runtime.config.YamlNodes.readable;
import static net.doublehop.runtime.config.YamlNodes.requiredText;
import static net.doublehop.runtime.config.YamlNodes.text;
import static net.doublehop.runtime.config.YamlNodes.textList;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import net.doublehop.protocol.privacypass.IssuerPublicKey;
import net.doublehop.protocol.privacypass.PrivacyPassException;
import net.doublehop.runtime.auth.PrivacyPassRedeemer;

/**
 * The {@code auth.privacy-pass} section, the same for both proxies:
 * <pre>
 * privacy-pass:
 *   issuer-keys: [issuer.pub.pem]   # RSA public keys (PEM SPKI, rsaEncryption or RSASSA-PSS); several during rotation
 *   issuer-name: issuer.example     # issuer_name in this proxy's challenges
 *   origin-info: ""                 # origin_info in the challenges; empty = tokens for any proxy of this issuer
 *   max-age: 1h                     # optional: max-age sent with the challenge
 *   spent-token-capacity: 1000000   # spent tokens remembered; when full, tokens are refused (503)
 * </pre>
 */
public record PrivacyPassConfig(PrivacyPassRedeemer.Settings redemption, int spentTokenCapacity) {

    public static Optional<PrivacyPassConfig> read(JsonNode node, String prefix, Function<String, Path> paths) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        allowOnly(node, prefix, Set.of("issuer-keys", "issuer-name", "origin-info", "max-age", "spent-token-capacity"));
        List<IssuerPublicKey> keys = new ArrayList<>();
        for (String file : textList(node, "issuer-keys", prefix + "issuer-keys")) {
            Path p = paths.apply(file);
            readable(prefix + "issuer-keys", p);
            try {
                keys.add(IssuerPublicKey.fromPem(Files.readString(p)));
            } catch (IOException | PrivacyPassException | IllegalArgumentException e) {
                throw new IllegalArgumentException(prefix + "issuer-keys: " + p + " is not an RSA public key in PEM ("
                        + (e instanceof PrivacyPassException pe ? pe.reason().code() : e.getClass().getSimpleName()) + ")");
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(prefix + "issuer-keys: at least one issuer public key file");
        }
        String issuerName;
        try {
            issuerName = requiredText(node, "issuer-name");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(prefix + "issuer-name: required (the issuer_name of this proxy's challenges)");
        }
        String originInfo = text(node, "origin-info").orElse("");
        Duration maxAge = duration(node, "max-age", Duration.ZERO);
        int capacity = integer(node, "spent-token-capacity", 1_000_000);
        if (capacity < 1) {
            throw new IllegalArgumentException(prefix + "spent-token-capacity: must be at least 1");
        }
        try {
            new net.doublehop.protocol.privacypass.TokenChallenge(
                    net.doublehop.protocol.privacypass.TokenType.BLIND_RSA_2048, issuerName, new byte[0], originInfo);
            return Optional.of(new PrivacyPassConfig(new PrivacyPassRedeemer.Settings(issuerName, originInfo, keys,
                    maxAge.isZero() ? OptionalLong.empty() : OptionalLong.of(maxAge.toSeconds())), capacity));
        } catch (PrivacyPassException | IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + "issuer-name / origin-info: " + e.getMessage());
        }
    }
}
