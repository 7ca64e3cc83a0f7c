package net.doublehop.protocol.privacypass;

/** A Privacy Pass input refused for a {@link Reason}; the subtype says whether it was malformed or refused. */
public abstract sealed class PrivacyPassException extends RuntimeException
        permits MalformedException, TokenRejectedException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    PrivacyPassException(Reason reason, String detail) {
        super(reason.code() + ": " + detail);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** See {@link Reason#status()}. */
    public int status() {
        return reason.status();
    }
}
