package net.doublehop.protocol.ohttp;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The {@code Date} check of RFC 9458 §6.5.1: a gateway may refuse a decrypted request whose {@code Date}
 * field is further than {@code skew} from its own clock (and, if it requires one, a request without it), so
 * that its replay register need only remember requests for the window a {@code Date} is accepted in.
 * The refusal is the §6.5.2 problem ({@link OhttpMediaTypes#DATE_PROBLEM_TYPE}) with the gateway's
 * {@code Date}, from which a client may correct its clock once.
 */
public final class RequestDate {

    /** What {@link #check} found. */
    public enum Verdict {
        ACCEPTABLE,
        /** No {@code Date} field while one is required. */
        MISSING,
        /** Outside {@code now ± skew}, several {@code Date} fields, or one that is no HTTP-date. */
        OUTSIDE
    }

    /** IMF-fixdate (RFC 9110 §5.6.7), e.g. {@code Mon, 07 Feb 2022 00:28:05 GMT}. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private RequestDate() {
    }

    /**
     * @param dateValues the request's {@code Date} field values
     * @param required whether a request without {@code Date} is refused ({@link Verdict#MISSING})
     */
    public static Verdict check(List<String> dateValues, Instant now, Duration skew, boolean required) {
        if (dateValues.isEmpty()) {
            return required ? Verdict.MISSING : Verdict.ACCEPTABLE;
        }
        if (dateValues.size() > 1) {
            return Verdict.OUTSIDE;
        }
        Instant date;
        try {
            // RFC 1123 parsing accepts IMF-fixdate; the obsolete RFC 850 and asctime forms are refused, and the
            // refusal carries a Date the client can copy
            date = Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(dateValues.get(0).strip()));
        } catch (DateTimeParseException e) {
            return Verdict.OUTSIDE;
        }
        return Duration.between(date, now).abs().compareTo(skew) <= 0 ? Verdict.ACCEPTABLE : Verdict.OUTSIDE;
    }

    /** {@code instant} as an HTTP-date (IMF-fixdate), whole seconds. */
    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }
}
