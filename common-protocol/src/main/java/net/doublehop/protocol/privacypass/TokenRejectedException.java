package net.doublehop.protocol.privacypass;

/** A well-formed token or request that is refused: unknown key, wrong challenge, bad signature (a 401 on redemption). */
public final class TokenRejectedException extends PrivacyPassException {

    private static final long serialVersionUID = 1L;

    public TokenRejectedException(Reason reason, String detail) {
        super(reason, detail);
        if (reason.malformed()) {
            throw new IllegalArgumentException(reason + " is a malformation, not a refusal");
        }
    }
}
