package net.doublehop.runtime.config;

/** A configuration problem, with the config key path that caused it so operators can fix it at once. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
