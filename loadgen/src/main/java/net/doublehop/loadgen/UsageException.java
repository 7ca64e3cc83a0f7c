package net.doublehop.loadgen;

/** A bad command line, or a feature asked for that is not supported yet: the tool exits with code 2. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }
}
