package net.doublehop.protocol;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** W3C Server Timing entries, e.g. {@code proxy;dur=12.345} (milliseconds). */
public final class ServerTiming {

    private ServerTiming() {
    }

    public static String entry(String metricName, long durationNanos) {
        BigDecimal ms = BigDecimal.valueOf(Math.max(0, durationNanos), 6).setScale(3, RoundingMode.HALF_UP)
                .stripTrailingZeros();
        return metricName + ";dur=" + ms.toPlainString();
    }
}
