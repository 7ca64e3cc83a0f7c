package net.doublehop.runtime.service;

import io.netty.util.internal.logging.AbstractInternalLogger;
import io.netty.util.internal.logging.InternalLogLevel;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.regex.Pattern;

/**
 * Keeps peer addresses out of Netty's own log lines while {@code logging.log-sensitive-data} is off. Netty names a
 * connection by its addresses ({@code [id: 0x55dec26c, L:/192.0.2.1:443 - R:/198.51.100.7:51234]}) in lines the proxies
 * do not write: an HTTP/2 client flooding control frames gets an INFO line, a TLS close that times out a WARNING, both
 * with the client's address; an exception's message may name a destination. Every Netty logger created after
 * {@link #install} goes through this one, which replaces IP addresses (with their ports) in messages and in the
 * messages of logged exceptions by {@code <address>}. Installed before the listeners start, so before Netty creates
 * the loggers of its TLS and HTTP/2 handlers (it creates each class's logger once, when the class is first used).
 */
public final class NettyLogRedaction extends InternalLoggerFactory {

    private static final Pattern ADDRESS = Pattern.compile(
            "\\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.]+)?](:\\d{1,5})?"            // [IPv6]:port
            + "|(?<![\\w.])\\d{1,3}(\\.\\d{1,3}){3}(:\\d{1,5})?(?![\\w.])"          // IPv4:port
            + "|(?<![\\w:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![\\w:])"       // full IPv6
            + "|(?<![\\w:])(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::"           // compressed IPv6
            + "(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(%[\\w.]+)?(?![\\w:])");

    private static volatile boolean redact = true;

    private final JdkLoggerFactory delegate;

    private NettyLogRedaction(JdkLoggerFactory delegate) {
        this.delegate = delegate;
    }

    /**
     * Routes Netty's loggers through the redaction (once per JVM); {@code logSensitive} turns it off. Netty logs
     * through java.util.logging here, as the proxies do (no other logging backend is on their class path).
     */
    public static synchronized void install(boolean logSensitive) {
        redact = !logSensitive;
        if (InternalLoggerFactory.getDefaultFactory() instanceof JdkLoggerFactory jdk) {
            InternalLoggerFactory.setDefaultFactory(new NettyLogRedaction(jdk));
        }
    }

    /** {@code text} with every IP address (and port) replaced by {@code <address>}. */
    static String redact(String text) {
        return text == null ? null : ADDRESS.matcher(text).replaceAll("<address>");
    }

    @Override
    protected InternalLogger newInstance(String name) {
        return new Redacting(delegate.newInstance(name));
    }

    /** Formats Netty's {@code {}} placeholders itself, redacts, and hands the line on at the same level. */
    private static final class Redacting extends AbstractInternalLogger {

        private static final long serialVersionUID = 1L;
        private final transient InternalLogger out;

        Redacting(InternalLogger out) {
            super(out.name());
            this.out = out;
        }

        private void emit(InternalLogLevel level, String format, Object... args) {
            if (!out.isEnabled(level)) {
                return;
            }
            Throwable thrown = args.length > 0 && args[args.length - 1] instanceof Throwable t ? t : null;
            StringBuilder sb = new StringBuilder();
            int arg = 0;
            int at = 0;
            String f = String.valueOf(format);
            int usable = thrown != null && count(f) < args.length ? args.length - 1 : args.length;
            for (int i = f.indexOf("{}"); i >= 0 && arg < usable; i = f.indexOf("{}", at)) {
                sb.append(f, at, i).append(args[arg++]);
                at = i + 2;
            }
            sb.append(f.substring(at));
            if (!redact) {
                out.log(level, sb.toString(), thrown);
                return;
            }
            out.log(level, redact(sb.toString()), thrown == null ? null : redacted(thrown));
        }

        private static int count(String f) {
            int n = 0;
            for (int i = f.indexOf("{}"); i >= 0; i = f.indexOf("{}", i + 2)) {
                n++;
            }
            return n;
        }

        /** The exception's class and redacted message, with its stack, and its causes the same way. */
        private static Throwable redacted(Throwable t) {
            Throwable copy = new RedactedException(t.getClass().getName() + ": " + redact(t.getMessage()),
                    t.getCause() == null || t.getCause() == t ? null : redacted(t.getCause()));
            copy.setStackTrace(t.getStackTrace());
            return copy;
        }

        @Override
        public boolean isTraceEnabled() {
            return out.isTraceEnabled();
        }

        @Override
        public void trace(String msg) {
            emit(InternalLogLevel.TRACE, msg);
        }

        @Override
        public void trace(String format, Object arg) {
            emit(InternalLogLevel.TRACE, format, arg);
        }

        @Override
        public void trace(String format, Object argA, Object argB) {
            emit(InternalLogLevel.TRACE, format, argA, argB);
        }

        @Override
        public void trace(String format, Object... arguments) {
            emit(InternalLogLevel.TRACE, format, arguments);
        }

        @Override
        public void trace(String msg, Throwable t) {
            emit(InternalLogLevel.TRACE, msg, t);
        }

        @Override
        public boolean isDebugEnabled() {
            return out.isDebugEnabled();
        }

        @Override
        public void debug(String msg) {
            emit(InternalLogLevel.DEBUG, msg);
        }

        @Override
        public void debug(String format, Object arg) {
            emit(InternalLogLevel.DEBUG, format, arg);
        }

        @Override
        public void debug(String format, Object argA, Object argB) {
            emit(InternalLogLevel.DEBUG, format, argA, argB);
        }

        @Override
        public void debug(String format, Object... arguments) {
            emit(InternalLogLevel.DEBUG, format, arguments);
        }

        @Override
        public void debug(String msg, Throwable t) {
            emit(InternalLogLevel.DEBUG, msg, t);
        }

        @Override
        public boolean isInfoEnabled() {
            return out.isInfoEnabled();
        }

        @Override
        public void info(String msg) {
            emit(InternalLogLevel.INFO, msg);
        }

        @Override
        public void info(String format, Object arg) {
            emit(InternalLogLevel.INFO, format, arg);
        }

        @Override
        public void info(String format, Object argA, Object argB) {
            emit(InternalLogLevel.INFO, format, argA, argB);
        }

        @Override
        public void info(String format, Object... arguments) {
            emit(InternalLogLevel.INFO, format, arguments);
        }

        @Override
        public void info(String msg, Throwable t) {
            emit(InternalLogLevel.INFO, msg, t);
        }

        @Override
        public boolean isWarnEnabled() {
            return out.isWarnEnabled();
        }

        @Override
        public void warn(String msg) {
            emit(InternalLogLevel.WARN, msg);
        }

        @Override
        public void warn(String format, Object arg) {
            emit(InternalLogLevel.WARN, format, arg);
        }

        @Override
        public void warn(String format, Object... arguments) {
            emit(InternalLogLevel.WARN, format, arguments);
        }

        @Override
        public void warn(String format, Object argA, Object argB) {
            emit(InternalLogLevel.WARN, format, argA, argB);
        }

        @Override
        public void warn(String msg, Throwable t) {
            emit(InternalLogLevel.WARN, msg, t);
        }

        @Override
        public boolean isErrorEnabled() {
            return out.isErrorEnabled();
        }

        @Override
        public void error(String msg) {
            emit(InternalLogLevel.ERROR, msg);
        }

        @Override
        public void error(String format, Object arg) {
            emit(InternalLogLevel.ERROR, format, arg);
        }

        @Override
        public void error(String format, Object argA, Object argB) {
            emit(InternalLogLevel.ERROR, format, argA, argB);
        }

        @Override
        public void error(String format, Object... arguments) {
            emit(InternalLogLevel.ERROR, format, arguments);
        }

        @Override
        public void error(String msg, Throwable t) {
            emit(InternalLogLevel.ERROR, msg, t);
        }
    }

    /** Stands in for a logged exception whose message was redacted; its text names the original class. */
    private static final class RedactedException extends Exception {

        private static final long serialVersionUID = 1L;

        RedactedException(String message, Throwable cause) {
            super(message, cause, false, true);
        }

        @Override
        public String toString() {
            return getLocalizedMessage();
        }
    }
}
