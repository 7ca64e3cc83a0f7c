package net.doublehop.loadgen;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The result of a run: what goes into the JSON file, the HTML file and the summary. */
final class Report {

    final Map<String, Object> options;
    final String title;
    final String startedAt;
    final List<Stats.Sample> series;
    final List<Object> seriesJson;
    final String seriesKey;
    final String seriesLabel;
    final Map<String, Object> totals;
    final Map<String, LogLinearHistogram> latencies;
    final Map<String, Long> errors;
    final List<String> summary;

    Report(Map<String, Object> options, String title, String startedAt, Stats stats, String seriesKey,
           String seriesLabel, Map<String, Object> totals, Map<String, LogLinearHistogram> latencies,
           List<String> summary) {
        this.options = options;
        this.title = title;
        this.startedAt = startedAt;
        this.series = List.copyOf(stats.series);
        this.seriesJson = stats.seriesJson();
        this.seriesKey = seriesKey;
        this.seriesLabel = seriesLabel;
        this.totals = totals;
        this.latencies = latencies;
        this.errors = stats.errorKinds();
        this.summary = summary;
    }

    /** A duration in microseconds, for people. */
    static String ms(long micros) {
        return micros < 1000 ? micros + " us" : String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", "loadgen");
        m.put("title", title);
        m.put("startedAt", startedAt);
        m.put("transport", Transport.name());
        m.put("tls", Tls.providerName((String) options.get("clientTls")));
        m.put("options", options);
        m.put("totals", totals);
        m.put("seriesKey", seriesKey);
        m.put("series", seriesJson);
        Map<String, Object> lat = new LinkedHashMap<>();
        latencies.forEach((k, h) -> lat.put(k, h.describe("us")));
        m.put("latency", lat);
        m.put("errors", errors);
        return m;
    }

    String text() {
        StringBuilder sb = new StringBuilder(title).append('\n');
        summary.forEach(l -> sb.append(l).append('\n'));
        long errs = errors.values().stream().mapToLong(Long::longValue).sum();
        sb.append("  errors       ").append(errs).append('\n');
        errors.forEach((k, v) -> sb.append("    ").append(v).append(" x ").append(k).append('\n'));
        return sb.toString();
    }
}
