package net.doublehop.protocol.bhttp;

/**
 * An invalid binary HTTP message (RFC 9292 §4): "MUST NOT be processed further except to log an error
 * and produce an error response". The message names the defect only, never field names or values.
 */
public final class BinaryHttpException extends Exception {

    private static final long serialVersionUID = 1L;

    public BinaryHttpException(String defect) {
        super(defect, null, false, false);
    }
}
