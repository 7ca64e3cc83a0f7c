package net.doublehop.protocol.privacypass;

import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;

/**
 * The issuer key of RFC 9578 Appendix A.2 (a published test key, the same in every vector there),
 * reused so tests need not generate 2048-bit keys.
 */
final class Keys {

    static final RSAPrivateCrtKey ISSUER_PRIVATE = RsaPem.privateKeyFromPem(
            new String(Vectors.rfc9578().get(0).bytes("skS"), StandardCharsets.US_ASCII));
    static final RSAPublicKey ISSUER_PUBLIC = RsaPem.publicKeyOf(ISSUER_PRIVATE);

    private Keys() {
    }
}
