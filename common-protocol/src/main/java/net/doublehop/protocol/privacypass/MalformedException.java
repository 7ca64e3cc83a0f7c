package net.doublehop.protocol.privacypass;

/** Input that is not a well-formed Privacy Pass structure or PrivateToken header (a 400 on redemption). */
public final class MalformedException extends PrivacyPassException {

    private static final long serialVersionUID = 1L;

    public MalformedException(Reason reason, String detail) {
        super(reason, detail);
        if (!reason.malformed()) {
            throw new IllegalArgumentException(reason + " is not a malformation");
        }
    }
}
