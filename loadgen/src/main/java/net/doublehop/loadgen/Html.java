package net.doublehop.loadgen;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One self-contained HTML page: inline CSS and SVG, no scripts, no fonts, no external resources. */
final class Html {

    private static final int W = 860;
    private static final int H = 300;
    private static final int ML = 70;
    private static final int MR = 20;
    private static final int MT = 20;
    private static final int MB = 45;

    private Html() { }

    static String render(Report r) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(esc(r.title)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;")
                .append("margin:2em auto;max-width:920px;color:#222;line-height:1.4}\n")
                .append("h1{font-size:1.35em}h2{font-size:1.1em;margin-top:1.8em}\n")
                .append("table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 10px;")
                .append("text-align:left;font-size:.92em}th{background:#f3f3f3}td.n{text-align:right;")
                .append("font-variant-numeric:tabular-nums}\n")
                .append("pre{background:#f7f7f7;padding:.8em;overflow-x:auto}svg{background:#fff;border:1px solid #ddd}\n")
                .append("svg text{font-size:11px;fill:#444}.muted{color:#777}\n</style></head><body>\n");
        sb.append("<h1>").append(esc(r.title)).append("</h1>\n");
        sb.append("<p class=\"muted\">started ").append(esc(r.startedAt)).append(", transport ")
                .append(Transport.name()).append(", TLS ").append(esc(Tls.providerName((String) r.options.get("clientTls")))).append("</p>\n");

        sb.append("<h2>Summary</h2>\n<pre>").append(esc(r.text())).append("</pre>\n");

        sb.append("<h2>").append(esc(r.seriesLabel)).append(" over time</h2>\n");
        sb.append(lineChart(r));

        for (Map.Entry<String, LogLinearHistogram> e : r.latencies.entrySet()) {
            LogLinearHistogram h = e.getValue();
            sb.append("<h2>Latency: ").append(esc(label(e.getKey()))).append(" (").append(h.count())
                    .append(" samples)</h2>\n");
            sb.append("<table><tr><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr><tr>");
            for (double p : new double[] {50, 90, 99, 99.9}) {
                sb.append("<td class=\"n\">").append(Report.ms(h.percentile(p))).append("</td>");
            }
            sb.append("<td class=\"n\">").append(Report.ms(h.max())).append("</td><td class=\"n\">")
                    .append(Report.ms(Math.round(h.mean()))).append("</td></tr></table>\n");
            sb.append(histogramChart(h));
        }

        sb.append("<h2>Totals</h2>\n<table>");
        r.totals.forEach((k, v) -> {
            if (!(v instanceof Map) && !(v instanceof List)) {
                sb.append("<tr><th>").append(esc(k)).append("</th><td class=\"n\">").append(esc(String.valueOf(v)))
                        .append("</td></tr>");
            }
        });
        sb.append("</table>\n");

        sb.append("<h2>Options</h2>\n<table>");
        r.options.forEach((k, v) -> sb.append("<tr><th>").append(esc(k)).append("</th><td>")
                .append(esc(String.valueOf(v))).append("</td></tr>"));
        sb.append("</table>\n");

        if (!r.errors.isEmpty()) {
            sb.append("<h2>Errors</h2>\n<table><tr><th>count</th><th>error</th></tr>");
            r.errors.forEach((k, v) -> sb.append("<tr><td class=\"n\">").append(v).append("</td><td>").append(esc(k))
                    .append("</td></tr>"));
            sb.append("</table>\n");
        }
        sb.append("<p class=\"muted\">MB = 10<sup>6</sup> bytes. Latencies are recorded in microseconds in a "
                + "log-linear histogram (buckets at most 1.6 % wide).</p>\n</body></html>\n");
        return sb.toString();
    }

    private static String label(String key) {
        return switch (key) {
            case "setup" -> "full setup (connect, TLS, CONNECT, 1-byte round trip)";
            case "connectAnswer" -> "CONNECT answer (request written to 2xx received; CONNECT-UDP: to 101)";
            case "tunnelOpen" -> "tunnel open (connect, TLS, CONNECT answer)";
            case "firstByte" -> "time to first byte (connect, TLS, CONNECT, request, the destination's first byte)";
            case "tcpConnect" -> "TCP connect (to the connection being up)";
            case "tlsHandshake" -> "TLS handshake (TCP up to handshake done; h3: the QUIC handshake)";
            case "requestToFirstByte" -> "request written to the destination's first byte";
            case "roundTrip" -> "request/response round trip";
            case "udpRoundTrip" -> "datagram round trip (sent to echoed)";
            default -> key;
        };
    }

    private static double value(Report r, Stats.Sample s) {
        return switch (r.seriesKey) {
            case "mbps" -> s.mbps();
            case "opsPerSec" -> s.opsPerSec();
            default -> s.open();
        };
    }

    private static String lineChart(Report r) {
        List<Stats.Sample> pts = r.series;
        double tMax = pts.isEmpty() ? 1 : Math.max(1e-3, pts.get(pts.size() - 1).t());
        double yMax = 0;
        for (Stats.Sample s : pts) {
            yMax = Math.max(yMax, value(r, s));
        }
        yMax = nice(yMax <= 0 ? 1 : yMax * 1.1);
        int pw = W - ML - MR;
        int ph = H - MT - MB;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" role=\"img\" aria-label=\"")
                .append(esc(r.seriesLabel)).append(" over time\">\n");
        axes(sb, pw, ph);
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            double y = MT + ph - ph * i / 5.0;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    ML, y, ML + pw, y, ML - 6, y + 4, num(v)));
        }
        double step = niceStep(tMax / 8);
        for (double t = 0; t <= tMax + 1e-9; t += step) {
            double x = ML + pw * t / tMax;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x, MT + ph + 16, num(t)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds</text>\n",
                ML + pw / 2, H - 6));
        sb.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>\n",
                MT + ph / 2, MT + ph / 2, esc(r.seriesLabel)));
        if (!pts.isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (Stats.Sample s : pts) {
                double x = ML + pw * s.t() / tMax;
                double y = MT + ph - ph * value(r, s) / yMax;
                path.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append("<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"")
                    .append(path.toString().trim()).append("\"/>\n");
            for (Stats.Sample s : pts) {
                double x = ML + pw * s.t() / tMax;
                double y = MT + ph - ph * value(r, s) / yMax;
                sb.append(String.format(Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"#1f6feb\"><title>t=%ss: %s</title></circle>\n",
                        x, y, num(s.t()), num(value(r, s))));
            }
        }
        return sb.append("</svg>\n").toString();
    }

    /** Bars over log-spaced bins between the smallest and largest recorded value. */
    private static String histogramChart(LogLinearHistogram h) {
        final int bins = 40;
        List<long[]> buckets = h.buckets();
        long lo = Math.max(1, h.min());
        long hi = Math.max(lo + 1, h.max() + 1);
        double span = Math.log((double) hi / lo);
        long[] counts = new long[bins];
        for (long[] b : buckets) {
            long v = Math.max(lo, Math.min(hi - 1, b[0]));
            int i = span <= 0 ? 0 : (int) Math.min(bins - 1, Math.floor(Math.log((double) v / lo) / span * bins));
            counts[i] += b[2];
        }
        long cMax = 1;
        for (long c : counts) {
            cMax = Math.max(cMax, c);
        }
        int pw = W - ML - MR;
        int ph = H - MT - MB;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" role=\"img\" aria-label=\"latency histogram\">\n");
        axes(sb, pw, ph);
        double bw = (double) pw / bins;
        for (int i = 0; i < bins; i++) {
            if (counts[i] == 0) {
                continue;
            }
            double bh = ph * (double) counts[i] / cMax;
            long from = Math.round(lo * Math.exp(span * i / bins));
            long to = Math.round(lo * Math.exp(span * (i + 1) / bins));
            sb.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#2da44e\">"
                            + "<title>%s to %s: %d</title></rect>\n",
                    ML + i * bw + 1, MT + ph - bh, Math.max(1, bw - 2), bh, Report.ms(from), Report.ms(to), counts[i]));
        }
        for (int i = 0; i <= 4; i++) {
            double y = MT + ph - ph * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                    ML - 6, y + 4, num(cMax * i / 4.0)));
        }
        for (int i = 0; i <= 4; i++) {
            long v = Math.round(lo * Math.exp(span * i / 4));
            double x = ML + pw * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
                    x, MT + ph + 16, i == 4 ? "end" : "middle", Report.ms(v)));
        }
        for (double p : new double[] {50, 99}) {
            long v = h.percentile(p);
            double x = span <= 0 ? ML : ML + pw * Math.log((double) Math.max(lo, v) / lo) / span;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" fill=\"#cf222e\" text-anchor=\"%s\">p%s</text>\n",
                    x, MT, x, MT + ph, x > ML + pw - 40 ? x - 3 : x + 3, MT + 12 + (p > 50 ? 14 : 0),
                    x > ML + pw - 40 ? "end" : "start", num(p)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">latency (log scale)</text>\n",
                ML + pw / 2, H - 6));
        sb.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">count</text>\n",
                MT + ph / 2, MT + ph / 2));
        return sb.append("</svg>\n").toString();
    }

    private static void axes(StringBuilder sb, int pw, int ph) {
        sb.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
                ML, MT, ML, MT + ph, ML, MT + ph, ML + pw, MT + ph));
    }

    static double nice(double v) {
        double e = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * e >= v) {
                return m * e;
            }
        }
        return 10 * e;
    }

    private static double niceStep(double v) {
        return v <= 0 ? 1 : nice(v);
    }

    private static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e12) {
            return Long.toString((long) v);
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
