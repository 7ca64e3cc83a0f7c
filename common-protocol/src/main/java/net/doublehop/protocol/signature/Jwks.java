package net.doublehop.protocol.signature;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.PublicKey;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON Web Key Sets (RFC 7517) of Ed25519 public keys as RFC 8037 writes them:
 * {@code {"kty":"OKP","crv":"Ed25519","kid":"…","x":"<base64url raw key>"}}. Other key types are skipped.
 */
public final class Jwks {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Jwks() {
    }

    public static Map<String, PublicKey> parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JWKS is not valid JSON");
        }
        if (root == null || !root.path("keys").isArray()) {
            throw new IllegalArgumentException("JWKS needs a \"keys\" array");
        }
        Map<String, PublicKey> out = new LinkedHashMap<>();
        int i = 0;
        for (JsonNode k : root.get("keys")) {
            String where = "JWKS keys[" + i++ + "]";
            if (!"OKP".equals(k.path("kty").asText()) || !"Ed25519".equals(k.path("crv").asText())) {
                continue;
            }
            String kid = k.path("kid").asText("");
            if (kid.isEmpty()) {
                throw new IllegalArgumentException(where + ": Ed25519 key without \"kid\"");
            }
            if (k.has("d")) {
                throw new IllegalArgumentException(where + ": holds a private key; publish public keys only");
            }
            byte[] raw;
            try {
                raw = Base64.getUrlDecoder().decode(k.path("x").asText(""));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": \"x\" is not base64url");
            }
            PublicKey key;
            try {
                key = Ed25519Keys.publicKeyFromRaw(raw);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": \"x\" is not a valid Ed25519 key");
            }
            if (out.put(kid, key) != null) {
                throw new IllegalArgumentException(where + ": duplicate kid");
            }
        }
        return out;
    }

    public static String toJson(Map<String, PublicKey> keys) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("keys");
        new TreeMap<>(keys).forEach((kid, key) -> arr.addObject()
                .put("kty", "OKP").put("crv", "Ed25519").put("kid", kid).put("use", "sig").put("alg", "EdDSA")
                .put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(Ed25519Keys.rawPublicKey(key))));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
