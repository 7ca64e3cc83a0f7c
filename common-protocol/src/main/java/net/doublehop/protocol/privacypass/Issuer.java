package net.doublehop.protocol.privacypass;

import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Objects;

/**
 * The issuer side of RFC 9578 §6.2 for one key: checks a TokenRequest and blindly signs it. Every
 * refusal (a {@link PrivacyPassException} of any reason) is answered 422 Unprocessable Content, as §6.2
 * requires; a {@link BlindRsaException} from signing is the issuer's own fault (500).
 */
public final class Issuer {

    private final RSAPrivateCrtKey privateKey;
    private final IssuerPublicKey publicKey;
    private final SecureRandom random;

    /** An issuer publishing the §6.5 encoding of its key. */
    public Issuer(RSAPrivateCrtKey privateKey, SecureRandom random) {
        this(privateKey, IssuerPublicKey.of(RsaPem.publicKeyOf(privateKey)), random);
    }

    /** An issuer publishing a given encoding of its key (its token_key_id is over those bytes). */
    public Issuer(RSAPrivateCrtKey privateKey, IssuerPublicKey publicKey, SecureRandom random) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey");
        this.random = Objects.requireNonNull(random, "random");
        if (!publicKey.key().getModulus().equals(privateKey.getModulus())
                || !publicKey.key().getPublicExponent().equals(privateKey.getPublicExponent())) {
            throw new IllegalArgumentException("public key is not that of the private key");
        }
    }

    public IssuerPublicKey publicKey() {
        return publicKey;
    }

    /** The content of an application/private-token-request in, that of an application/private-token-response out. */
    public byte[] issue(byte[] tokenRequestContent) {
        return issue(TokenRequest.decode(tokenRequestContent)).encode();
    }

    /**
     * §6.2: the token type is supported and blinded_msg has Nk bytes (a TokenRequest holds nothing else:
     * {@link TokenRequest#decode} refuses other types and sizes), the truncated key id is this key's;
     * then blind_sig = BlindSign(skI, blinded_msg).
     */
    public TokenResponse issue(TokenRequest request) {
        if (request.truncatedTokenKeyId() != publicKey.truncatedTokenKeyId()) {
            throw new TokenRejectedException(Reason.UNKNOWN_TRUNCATED_KEY_ID,
                    String.format("0x%02x", request.truncatedTokenKeyId()));
        }
        byte[] blinded = request.blindedMsg();
        if (RsaPrimitives.os2ip(blinded).compareTo(privateKey.getModulus()) >= 0) {
            // Not below n, so no blinding of any message: the request is malformed, not our failure.
            throw new MalformedException(Reason.INVALID_FIELD, "blinded_msg is not below the modulus");
        }
        return new TokenResponse(BlindRsa.blindSign(privateKey, blinded, random));
    }
}
