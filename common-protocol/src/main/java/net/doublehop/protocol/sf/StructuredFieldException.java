package net.doublehop.protocol.sf;

/** A field value that is not a valid RFC 8941 structured field; the message says where, not what. */
public final class StructuredFieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    StructuredFieldException(String message, int position) {
        super(message + " at position " + position);
    }
}
