package net.doublehop.protocol.privacypass;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The default TokenChallenge of RFC 9577 §2.1.1:
 * <pre>
 * struct {
 *     uint16_t token_type;
 *     opaque issuer_name&lt;1..2^16-1&gt;;
 *     opaque redemption_context&lt;0..32&gt;;   // 0 or 32 bytes, nothing else
 *     opaque origin_info&lt;0..2^16-1&gt;;
 * } TokenChallenge;
 * </pre>
 * Names are ASCII (§2.1.1.1), so they are held as strings; the encoding is canonical, so
 * {@code decode(b).encode()} is {@code b} and the digest of a decoded challenge is that of the bytes sent.
 */
public record TokenChallenge(int tokenType, String issuerName, byte[] redemptionContext, String originInfo) {

    public static final int REDEMPTION_CONTEXT_LENGTH = 32;

    public TokenChallenge {
        if (tokenType < 0 || tokenType > 0xffff) {
            throw new IllegalArgumentException("token_type is a uint16");
        }
        Objects.requireNonNull(issuerName, "issuerName");
        Objects.requireNonNull(originInfo, "originInfo");
        redemptionContext = redemptionContext == null ? new byte[0] : redemptionContext.clone();
        if (redemptionContext.length != 0 && redemptionContext.length != REDEMPTION_CONTEXT_LENGTH) {
            throw new IllegalArgumentException("redemption_context is 0 or 32 bytes");
        }
        requireAscii("issuer_name", issuerName, 1);
        requireAscii("origin_info", originInfo, 0);
    }

    public static TokenChallenge decode(byte[] bytes) {
        WireReader r = new WireReader(bytes, "TokenChallenge");
        int type = r.u16("token_type");
        String issuer = ascii(r.vector16("issuer_name"), "issuer_name", 1);
        byte[] context = r.vector8("redemption_context");
        // §2.1.1: "Challenges with redemption_context values of invalid lengths MUST be ignored."
        if (context.length != 0 && context.length != REDEMPTION_CONTEXT_LENGTH) {
            throw new MalformedException(Reason.INVALID_FIELD, "redemption_context of " + context.length + " bytes");
        }
        String origins = ascii(r.vector16("origin_info"), "origin_info", 0);
        r.end();
        return new TokenChallenge(type, issuer, context, origins);
    }

    public byte[] encode() {
        byte[] issuer = issuerName.getBytes(StandardCharsets.US_ASCII);
        byte[] origins = originInfo.getBytes(StandardCharsets.US_ASCII);
        return Bytes.concat(Bytes.u16(tokenType), Bytes.u16(issuer.length), issuer,
                new byte[] {(byte) redemptionContext.length}, redemptionContext, Bytes.u16(origins.length), origins);
    }

    /** challenge_digest = SHA-256(TokenChallenge) (RFC 9577 §2.2). */
    public byte[] digest() {
        return Bytes.sha256(encode());
    }

    /** The origin names of origin_info (comma separated, §2.1.1); empty when the token is cross-origin. */
    public List<String> originNames() {
        return originInfo.isEmpty() ? List.of() : List.of(originInfo.split(",", -1));
    }

    @Override
    public byte[] redemptionContext() {
        return redemptionContext.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenChallenge c && c.tokenType == tokenType && c.issuerName.equals(issuerName)
                && Arrays.equals(c.redemptionContext, redemptionContext) && c.originInfo.equals(originInfo);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tokenType, issuerName, Arrays.hashCode(redemptionContext), originInfo);
    }

    @Override
    public String toString() {
        return String.format("TokenChallenge[token_type=0x%04x, issuer_name=%s, redemption_context=%s, origin_info=%s]",
                tokenType, issuerName, Bytes.hex(redemptionContext), originInfo);
    }

    private static String ascii(byte[] b, String field, int minLength) {
        if (b.length < minLength) {
            throw new MalformedException(Reason.INVALID_FIELD, field + " is empty");
        }
        for (byte c : b) {
            if (c < 0x21 || c > 0x7e) {
                throw new MalformedException(Reason.INVALID_FIELD, field + " is not printable ASCII");
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static void requireAscii(String field, String s, int minLength) {
        int max = 0xffff;
        if (s.length() < minLength || s.length() > max) {
            throw new IllegalArgumentException(field + " must be " + minLength + ".." + max + " characters");
        }
        // Server names (§2.1.1.1) are URI authorities: printable ASCII without spaces.
        if (!s.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
            throw new IllegalArgumentException(field + " must be printable ASCII");
        }
    }
}
