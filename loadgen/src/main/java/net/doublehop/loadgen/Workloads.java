package net.doublehop.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** The six workloads. Each runs on the connector's event loops; the runner samples {@link Stats} and stops it. */
final class Workloads {

    private Workloads() { }

    static Workload create(Options o, Connector c, EventLoopGroup group, Stats s) {
        return switch (o.workload) {
            case BULK -> new Bulk(o, c, group, s);
            case SETUP -> new Setup(o, c, group, s, false);
            case FIRSTBYTE -> new Setup(o, c, group, s, true);
            case RPS -> new Rps(o, c, group, s);
            case IDLE -> new Idle(o, c, group, s);
            case UDP -> new Udp(o, c, group, s);
        };
    }

    static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** Writes n payload bytes as views of the shared pre-filled buffer. */
    static void writePayload(Channel ch, long n) {
        while (n > 0) {
            int c = (int) Math.min(n, SourceServer.CHUNK);
            ch.write(SourceServer.payload(c), ch.voidPromise());
            n -= c;
        }
    }

    abstract static class Workload {
        final Options o;
        final Connector c;
        final EventLoopGroup group;
        final Stats s;
        final CountDownLatch finished = new CountDownLatch(1);
        /** What the chart of the report shows over time: a Stats series key, and its label. */
        final String seriesKey;
        final String seriesLabel;
        /** Time to open each tunnel (connect, TLS, CONNECT answer), microseconds. */
        final LogLinearHistogram openTime = new LogLinearHistogram();
        /** The CONNECT answer alone, microseconds (proxied runs only). */
        final LogLinearHistogram connectTime = new LogLinearHistogram();
        volatile boolean stopping;
        /** During --warmup: operations are not counted against --count. */
        volatile boolean warmingUp;
        private final AtomicInteger activeSlots;

        Workload(Options o, Connector c, EventLoopGroup group, Stats s, String seriesKey, String seriesLabel) {
            this.o = o;
            this.c = c;
            this.group = group;
            this.s = s;
            this.seriesKey = seriesKey;
            this.seriesLabel = seriesLabel;
            this.activeSlots = new AtomicInteger(o.tunnels);
            this.warmingUp = !o.warmup.isZero();
        }

        abstract void start();

        /** Called by the runner at the end, before the connector closes every channel. */
        void stop() {
            stopping = true;
        }

        /** One of the --tunnels slots can do no more; the run ends early when none can. */
        void slotEnded() {
            if (activeSlots.decrementAndGet() == 0) {
                finished.countDown();
            }
        }

        /**
         * Opens a tunnel for the handler through the connector, counting it as opening until it is open or failed.
         * Open: it is counted and timed, the handler marked open, then {@code then} runs (on the tunnel's event
         * loop). Failed: the failure is counted (unless the run is stopping), then {@code otherwise} runs.
         */
        void open(TunnelHandler handler, Consumer<Tunnel> then, Runnable otherwise) {
            s.opening.incrementAndGet();
            c.open(handler).addListener((Future<Tunnel> f) -> {
                s.opening.decrementAndGet();
                if (!f.isSuccess()) {
                    if (!stopping) {
                        s.failedOpens.increment();
                        s.error(f.cause());
                    }
                    otherwise.run();
                    return;
                }
                Tunnel t = f.getNow();
                s.opened.increment();
                s.open.incrementAndGet();
                openTime.record((t.answeredNanos() - t.startNanos()) / 1000);
                if (c.proxied()) {
                    connectTime.record(t.connectAnswerMicros());
                }
                handler.opened = true;
                then.accept(t);
            });
        }

        /**
         * The last handler of a tunnel's pipeline, what the tunnels of every workload share: the tunnel counts as
         * open from {@link #open} until it closes; received bytes are counted, handed to {@link #received} and
         * released; the tunnel's first error is reported once, unless the run is stopping or the tunnel had done
         * its part (then a reset or a close is simply its end).
         */
        abstract class TunnelHandler extends ChannelInboundHandlerAdapter {
            /** Set on the tunnel's event loop when it opened; read at the end of the run. */
            volatile boolean opened;
            private boolean errored;

            /** Bytes from the target (released after the call). */
            abstract void received(ChannelHandlerContext ctx, ByteBuf b);

            /** Whether the tunnel has done its part, so that an error or a close now is no failure. */
            abstract boolean finished();

            /** The error a close before {@link #finished} is reported as. */
            abstract String closedEarly();

            /** What follows the close (counted and, if early, reported by then): the next tunnel, the slot's end. */
            abstract void closed();

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                try {
                    s.bytesIn.add(b.readableBytes());
                    received(ctx, b);
                } finally {
                    b.release();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (opened) {
                    s.open.decrementAndGet();
                }
                if (!stopping && !errored && !finished()) {
                    s.error(closedEarly());
                }
                closed();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                if (!finished()) {
                    report(cause);
                }
                ctx.close();
            }

            /** Counts the tunnel's first error, unless the run is stopping. */
            final void report(Throwable cause) {
                if (!stopping && !errored) {
                    errored = true;
                    s.error(cause);
                }
            }
        }

        /** "p50 … p90 … p99 … max …" of a histogram of microseconds, for the summary lines. */
        static String percentiles(LogLinearHistogram h) {
            return "p50 " + Report.ms(h.percentile(50)) + " p90 " + Report.ms(h.percentile(90)) + " p99 "
                    + Report.ms(h.percentile(99)) + " max " + Report.ms(h.max());
        }

        /** Claims one operation of --count; false when the count is used up. */
        boolean claim(AtomicLong issued) {
            return o.count < 0 || warmingUp || issued.incrementAndGet() <= o.count;
        }

        /**
         * End of the warm-up: what was measured so far is forgotten; --count counts from here. The last three steps
         * follow each other closely so that operations under way are counted once.
         */
        final void measureFromNow() {
            openTime.reset();
            connectTime.reset();
            forgetMeasures();
            warmingUp = false;
            restartCount();
            s.resetAfterWarmup();
        }

        /** Clears the workload's own histograms and per-tunnel figures. */
        void forgetMeasures() { }

        /** Sets the --count claim counter to the operations under way. */
        void restartCount() { }

        /** Totals for the JSON report and the summary lines for stdout; called after the event loops stopped. */
        abstract void results(double seconds, Map<String, Object> totals, Map<String, LogLinearHistogram> latencies,
                              List<String> summary);

        void openLatencies(Map<String, LogLinearHistogram> latencies) {
            if (openTime.count() > 0) {
                latencies.put("tunnelOpen", openTime);
            }
            if (connectTime.count() > 0) {
                latencies.put("connectAnswer", connectTime);
            }
        }

        void tunnelTotals(Map<String, Object> totals, List<String> summary) {
            totals.put("tunnelsOpened", s.opened.sum());
            totals.put("tunnelsFailed", s.failedOpens.sum());
            int stillOpening = s.stillOpeningAtEnd;
            totals.put("tunnelsStillOpening", stillOpening);
            totals.put("errors", s.errors.sum());
            summary.add(String.format(Locale.ROOT, "  tunnels      %d opened, %d failed to open%s%s",
                    s.opened.sum(), s.failedOpens.sum(),
                    stillOpening > 0 ? ", " + stillOpening + " still opening when the run ended" : "",
                    openTime.count() == 0 ? "" : "; open time p50 " + Report.ms(openTime.percentile(50)) + " p99 "
                            + Report.ms(openTime.percentile(99))));
            if (connectTime.count() > 0) {
                summary.add("  CONNECT      answer " + percentiles(connectTime));
            }
        }
    }

    /** Each tunnel downloads from a SOURCE as fast as it can. */
    static final class Bulk extends Workload {
        private final AtomicLong launched = new AtomicLong();
        private final Queue<Download> downloads = new ConcurrentLinkedQueue<>();

        Bulk(Options o, Connector c, EventLoopGroup group, Stats s) {
            super(o, c, group, s, "mbps", "MB/s received");
        }

        @Override
        void forgetMeasures() {
            long now = System.nanoTime();
            for (Download d : downloads) {
                d.baseBytes = d.bytes;
                d.baseTime = now;
            }
        }

        @Override
        void restartCount() {
            launched.set(s.open.get() + s.opening.get()); // downloads under way count toward --count
        }

        @Override
        void start() {
            for (int i = 0; i < o.tunnels; i++) {
                launch();
            }
        }

        private void launch() {
            if (stopping || !claim(launched)) {
                slotEnded();
                return;
            }
            Download d = new Download();
            downloads.add(d);
            open(d, t -> {
                d.start = t.answeredNanos();
                t.channel().writeAndFlush(ascii("SOURCE " + (o.bytes > 0 ? o.bytes : "inf") + "\n"));
            }, this::slotEnded);
        }

        final class Download extends TunnelHandler {
            /** Written by the tunnel's event loop, read at the end of the warm-up. */
            volatile long bytes;
            volatile long start;
            volatile long end;
            long baseBytes;
            long baseTime;

            @Override
            void received(ChannelHandlerContext ctx, ByteBuf b) {
                bytes += b.readableBytes();
            }

            @Override
            boolean finished() {
                return o.bytes > 0 && bytes >= o.bytes;
            }

            @Override
            String closedEarly() {
                return "tunnel closed early (after " + (o.bytes > 0 ? "fewer bytes than --bytes" : "some bytes") + ")";
            }

            @Override
            void closed() {
                end = System.nanoTime();
                if (stopping) {
                    return;
                }
                if (finished()) {
                    s.ops.increment();
                    launch();
                } else {
                    slotEnded();
                }
            }
        }

        @Override
        void results(double seconds, Map<String, Object> totals, Map<String, LogLinearHistogram> latencies,
                     List<String> summary) {
            long total = s.bytesIn.sum();
            double mbps = seconds > 0 ? total / seconds / 1e6 : 0;
            List<Double> perTunnel = new ArrayList<>();
            long stopAt = System.nanoTime();
            for (Download d : downloads) {
                long end = d.end == 0 ? stopAt : d.end;
                if (d.opened && end > d.baseTime) {
                    double secs = (end - Math.max(d.start, d.baseTime)) / 1e9;
                    perTunnel.add(secs > 0 ? (d.bytes - d.baseBytes) / secs / 1e6 : 0);
                }
            }
            double mean = perTunnel.stream().mapToDouble(Double::doubleValue).average().orElse(0);
            double min = perTunnel.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = perTunnel.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            totals.put("bytesReceived", total);
            totals.put("seconds", Stats.round(seconds, 3));
            totals.put("mbps", Stats.round(mbps, 3));
            totals.put("gbitps", Stats.round(mbps * 8 / 1000, 3));
            Map<String, Object> pt = new LinkedHashMap<>();
            pt.put("mean", Stats.round(mean, 3));
            pt.put("min", Stats.round(min, 3));
            pt.put("max", Stats.round(max, 3));
            pt.put("each", perTunnel.stream().map(v -> Stats.round(v, 3)).toList());
            totals.put("mbpsPerTunnel", pt);
            totals.put("downloadsCompleted", s.ops.sum());
            // The first second includes JIT warm-up and tunnel opening; the rest is the steady rate.
            List<Stats.Sample> series = s.series;
            double steady = -1;
            if (series.size() > 1) {
                long b = 0;
                double t = 0;
                for (Stats.Sample x : series.subList(1, series.size())) {
                    b += x.bytes();
                    t += x.interval();
                }
                steady = t > 0 ? b / t / 1e6 : -1;
            }
            totals.put("mbpsAfterFirstSecond", steady < 0 ? null : Stats.round(steady, 3));
            summary.add(String.format(Locale.ROOT, "  received     %.1f MB in %.2f s = %.1f MB/s (%.2f Gbit/s)",
                    total / 1e6, seconds, mbps, mbps * 8 / 1000));
            if (steady >= 0) {
                summary.add(String.format(Locale.ROOT, "  steady       %.1f MB/s after the first second", steady));
            }
            summary.add(String.format(Locale.ROOT, "  per tunnel   mean %.1f MB/s, min %.1f, max %.1f (%d tunnels)",
                    mean, min, max, perTunnel.size()));
            if (o.bytes > 0) {
                summary.add("  downloads    " + s.ops.sum() + " completed of " + o.bytes + " bytes each");
            }
            tunnelTotals(totals, summary);
            openLatencies(latencies);
        }
    }

    /**
     * setup: new connection, CONNECT, one 1-byte round trip, close. firstbyte: the same with a --request-size
     * request and a --response-size answer, timed to the answer's first byte, with each phase of the way there.
     * Repeated by each of --tunnels loops.
     */
    static final class Setup extends Workload {
        private final AtomicLong issued = new AtomicLong();
        private final boolean firstByte;
        /** setup: to the 1-byte answer; firstbyte: to the answer's first byte. From the start of the opening. */
        final LogLinearHistogram full = new LogLinearHistogram();
        final LogLinearHistogram tcp = new LogLinearHistogram();
        final LogLinearHistogram tls = new LogLinearHistogram();
        final LogLinearHistogram requestToFirstByte = new LogLinearHistogram();
        /** What the tunnel sends the destination: the RR command and the request bytes. */
        private final byte[] request;

        Setup(Options o, Connector c, EventLoopGroup group, Stats s, boolean firstByte) {
            super(o, c, group, s, "opsPerSec", firstByte ? "tunnels/s" : "setups/s");
            this.firstByte = firstByte;
            int size = firstByte ? o.requestSize : 1;
            byte[] head = ("RR " + size + " " + (firstByte ? o.responseSize : 1) + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            request = new byte[head.length + size];
            System.arraycopy(head, 0, request, 0, head.length);
            java.util.Arrays.fill(request, head.length, request.length, (byte) 'x');
        }

        @Override
        void forgetMeasures() {
            full.reset();
            tcp.reset();
            tls.reset();
            requestToFirstByte.reset();
        }

        @Override
        void restartCount() {
            issued.set(s.open.get() + s.opening.get()); // setups under way
        }

        @Override
        void start() {
            for (int i = 0; i < o.tunnels; i++) {
                next();
            }
        }

        private void next() {
            if (stopping || !claim(issued)) {
                slotEnded();
                return;
            }
            Probe p = new Probe();
            open(p, t -> {
                p.tunnel = t;
                p.sentAt = System.nanoTime();
                s.bytesOut.add(firstByte ? o.requestSize : 1);
                t.channel().writeAndFlush(Unpooled.wrappedBuffer(request));
            }, this::retryLater); // no tight loop on a dead proxy
        }

        private void retryLater() {
            if (stopping) {
                slotEnded();
                return;
            }
            try {
                group.schedule(this::next, 100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                slotEnded();
            }
        }

        final class Probe extends TunnelHandler {
            Tunnel tunnel;
            long sentAt;
            private boolean answered;
            private long got;

            @Override
            void received(ChannelHandlerContext ctx, ByteBuf b) {
                if (!answered) {
                    long now = System.nanoTime();
                    answered = true;
                    full.record((now - tunnel.startNanos()) / 1000);
                    if (firstByte) {
                        phases(ctx.channel(), now);
                    }
                    s.ops.increment();
                }
                got += b.readableBytes();
                if (!firstByte || got >= o.responseSize) {
                    ctx.close();
                }
            }

            /** The phases of the way to the first byte, each where it was seen. */
            private void phases(Channel ch, long now) {
                requestToFirstByte.record((now - sentAt) / 1000);
                ConnectionTimes t = ConnectionTimes.of(ch);
                if (t == null) {
                    if (!c.proxied() && !o.directTls) { // --direct: the tunnel opened when TCP connected
                        tcp.record((tunnel.answeredNanos() - tunnel.startNanos()) / 1000);
                    }
                    return;
                }
                if (t.connectedNanos > 0) {
                    tcp.record((t.connectedNanos - t.startNanos) / 1000);
                }
                if (t.handshakeNanos > 0) {
                    long from = t.connectedNanos > 0 ? t.connectedNanos : t.startNanos;
                    tls.record((t.handshakeNanos - from) / 1000);
                }
            }

            @Override
            boolean finished() {
                return firstByte ? got >= o.responseSize : answered;
            }

            @Override
            String closedEarly() {
                return firstByte ? "tunnel closed before the whole answer (" + got + " of " + o.responseSize
                        + " bytes)" : "tunnel closed before the 1-byte answer";
            }

            @Override
            void closed() {
                if (stopping) {
                    return;
                }
                if (finished()) {
                    next();
                } else {
                    retryLater();
                }
            }
        }

        @Override
        void results(double seconds, Map<String, Object> totals, Map<String, LogLinearHistogram> latencies,
                     List<String> summary) {
            long n = s.ops.sum();
            String what = firstByte ? "tunnels" : "setups";
            totals.put(what, n);
            totals.put("seconds", Stats.round(seconds, 3));
            totals.put(what + "PerSec", Stats.round(seconds > 0 ? n / seconds : 0, 1));
            summary.add(String.format(Locale.ROOT, "  %-12s %d in %.2f s = %.1f/s (%d loop%s)", what, n, seconds,
                    seconds > 0 ? n / seconds : 0, o.tunnels, o.tunnels == 1 ? "" : "s"));
            if (!firstByte) {
                summary.add("  full setup   " + percentiles(full));
                tunnelTotals(totals, summary);
                latencies.put("setup", full);
                if (connectTime.count() > 0) {
                    latencies.put("connectAnswer", connectTime);
                }
                return;
            }
            summary.add("  first byte   " + percentiles(full) + " (" + o.requestSize + " B request, "
                    + o.responseSize + " B answer)");
            if (tcp.count() > 0) {
                summary.add("  TCP connect  " + percentiles(tcp));
            }
            if (tls.count() > 0) {
                summary.add("  handshake    " + percentiles(tls) + (o.proxyVersion.equals("h3") && !o.direct
                        ? " (QUIC)" : " (TLS, from TCP up)"));
            }
            summary.add("  request      to first byte " + percentiles(requestToFirstByte));
            tunnelTotals(totals, summary);
            latencies.put("firstByte", full);
            if (tcp.count() > 0) {
                latencies.put("tcpConnect", tcp);
            }
            if (tls.count() > 0) {
                latencies.put("tlsHandshake", tls);
            }
            if (connectTime.count() > 0) {
                latencies.put("connectAnswer", connectTime);
            }
            latencies.put("requestToFirstByte", requestToFirstByte);
        }
    }

    /** Keep-alive tunnels doing RR round trips, closed loop. */
    static final class Rps extends Workload {
        private final AtomicLong issued = new AtomicLong();
        final LogLinearHistogram latency = new LogLinearHistogram();

        Rps(Options o, Connector c, EventLoopGroup group, Stats s) {
            super(o, c, group, s, "opsPerSec", "requests/s");
        }

        @Override
        void forgetMeasures() {
            latency.reset();
        }

        @Override
        void restartCount() {
            issued.set(s.open.get()); // each open tunnel has one round trip under way
        }

        @Override
        void start() {
            for (int i = 0; i < o.tunnels; i++) {
                Client cl = new Client();
                open(cl, t -> {
                    Channel ch = t.channel();
                    ch.write(ascii("RR " + o.requestSize + " " + o.responseSize + "\n"), ch.voidPromise());
                    cl.request(ch);
                }, this::slotEnded);
            }
        }

        final class Client extends TunnelHandler {
            private long sentAt;
            private long received;
            private boolean done;

            void request(Channel ch) {
                if (stopping || !claim(issued)) {
                    done = true;
                    ch.flush();
                    ch.close();
                    return;
                }
                received = 0;
                sentAt = System.nanoTime();
                writePayload(ch, o.requestSize);
                s.bytesOut.add(o.requestSize);
                ch.flush();
            }

            @Override
            void received(ChannelHandlerContext ctx, ByteBuf b) {
                received += b.readableBytes();
                if (received >= o.responseSize && !done) {
                    latency.record((System.nanoTime() - sentAt) / 1000);
                    s.ops.increment();
                    request(ctx.channel());
                }
            }

            @Override
            boolean finished() {
                return done;
            }

            @Override
            String closedEarly() {
                return "tunnel closed during a round trip";
            }

            @Override
            void closed() {
                slotEnded();
            }
        }

        @Override
        void results(double seconds, Map<String, Object> totals, Map<String, LogLinearHistogram> latencies,
                     List<String> summary) {
            long n = s.ops.sum();
            double rps = seconds > 0 ? n / seconds : 0;
            totals.put("requests", n);
            totals.put("seconds", Stats.round(seconds, 3));
            totals.put("requestsPerSec", Stats.round(rps, 1));
            totals.put("bytesSent", s.bytesOut.sum());
            totals.put("bytesReceived", s.bytesIn.sum());
            summary.add(String.format(Locale.ROOT, "  requests     %d in %.2f s = %.1f req/s (%d B -> %d B, %d tunnels)",
                    n, seconds, rps, o.requestSize, o.responseSize, o.tunnels));
            summary.add("  latency      " + percentiles(latency));
            tunnelTotals(totals, summary);
            latencies.put("roundTrip", latency);
            openLatencies(latencies);
        }
    }

    /** Opens --tunnels tunnels (at most --concurrency at a time) and holds them; RSS of --pids before and after. */
    static final class Idle extends Workload {
        private final AtomicInteger launched = new AtomicInteger();
        private final AtomicInteger settled = new AtomicInteger();
        private final AtomicInteger ok = new AtomicInteger();
        private final Map<Long, Long> rssBefore;
        private volatile Map<Long, Long> rssAfterOpen;
        private volatile Map<Long, Long> rssAtEnd;
        private volatile double openSeconds = -1;
        private long startNanos;

        Idle(Options o, Connector c, EventLoopGroup group, Stats s) {
            super(o, c, group, s, "tunnelsOpen", "tunnels open");
            rssBefore = ProcRss.read(o.pids);
        }

        @Override
        void start() {
            startNanos = System.nanoTime();
            for (int i = 0; i < Math.min(o.concurrency, o.tunnels); i++) {
                launchNext();
            }
        }

        private void launchNext() {
            if (stopping || launched.getAndIncrement() >= o.tunnels) {
                return;
            }
            open(new Holder(), t -> {
                ok.incrementAndGet();
                t.channel().writeAndFlush(ascii("SINK\n"));
                settled();
            }, this::settled);
        }

        /** One more tunnel open or failed: the next one starts, or after the last the open phase is measured. */
        private void settled() {
            if (settled.incrementAndGet() == o.tunnels) {
                openSeconds = (System.nanoTime() - startNanos) / 1e9;
                rssAfterOpen = ProcRss.read(o.pids);
                if (ok.get() == 0) {
                    finished.countDown();
                }
            } else {
                launchNext();
            }
        }

        /** Holds its tunnel: the target sinks what it gets and sends nothing, so any close is early. */
        final class Holder extends TunnelHandler {
            @Override
            void received(ChannelHandlerContext ctx, ByteBuf b) { }

            @Override
            boolean finished() {
                return false;
            }

            @Override
            String closedEarly() {
                return "tunnel closed while held";
            }

            @Override
            void closed() { }
        }

        @Override
        void stop() {
            rssAtEnd = ProcRss.read(o.pids);
            super.stop();
        }

        @Override
        void results(double seconds, Map<String, Object> totals, Map<String, LogLinearHistogram> latencies,
                     List<String> summary) {
            int opened = ok.get();
            totals.put("tunnelsRequested", o.tunnels);
            totals.put("tunnelsHeld", opened);
            totals.put("secondsToOpen", openSeconds < 0 ? null : Stats.round(openSeconds, 3));
            totals.put("seconds", Stats.round(seconds, 3));
            summary.add(String.format(Locale.ROOT, "  held         %d of %d tunnels%s, for %.1f s", opened, o.tunnels,
                    openSeconds < 0 ? " (not all opened before the end)"
                            : String.format(Locale.ROOT, " (all settled after %.2f s)", openSeconds),
                    seconds));
            Map<Long, Long> after = rssAfterOpen != null ? rssAfterOpen : rssAtEnd;
            List<Object> procs = new ArrayList<>();
            for (long pid : o.pids) {
                Map<String, Object> p = new LinkedHashMap<>();
                Long before = rssBefore.get(pid);
                Long a = after == null ? null : after.get(pid);
                Long end = rssAtEnd == null ? null : rssAtEnd.get(pid);
                p.put("pid", pid);
                p.put("rssKiBBefore", before);
                p.put("rssKiBAfterOpen", a);
                p.put("rssKiBAtEnd", end);
                Double per = before != null && a != null && opened > 0 ? Stats.round((a - before) / (double) opened, 2) : null;
                p.put("growthKiBPerTunnel", per);
                procs.add(p);
                summary.add(before == null || a == null
                        ? "  pid " + pid + "    VmRSS unreadable (no such process, or not Linux)"
                        : String.format(Locale.ROOT, "  pid %-8d RSS %d -> %d KiB = %s KiB per tunnel", pid, before, a,
                                per == null ? "n/a" : String.format(Locale.ROOT, "%.1f", per)));
            }
            totals.put("processes", procs);
            tunnelTotals(totals, summary);
            openLatencies(latencies);
        }
    }

    /**
     * UDP flows (CONNECT-UDP, or plain UDP with --direct) to the target's echo, each keeping --window datagrams of
     * --size bytes in flight: every echo sends the next datagram (closed loop; --window 1 is ping-pong). A datagram
     * starts with its flow's sequence number and its send time, so the echo is matched however it is reordered. One
     * not echoed within --loss-timeout is counted lost and replaced; if its echo comes after all, it is counted late.
     */
    static final class Udp extends Workload {
        private final AtomicLong issued = new AtomicLong();
        final LogLinearHistogram rtt = new LogLinearHistogram();
        final LongAdder sent = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder late = new LongAdder();
        final LongAdder unexpected = new LongAdder();
        /** Datagrams sent and neither echoed nor counted lost yet. */
        final LongAdder inFlight = new LongAdder();
        private final long lossNanos;
        private final long checkNanos;
        private volatile long inFlightAtEnd = -1;

        Udp(Options o, Connector c, EventLoopGroup group, Stats s) {
            super(o, c, group, s, "opsPerSec", "datagrams echoed/s");
            lossNanos = o.lossTimeout.toNanos();
            checkNanos = Math.max(1_000_000L, lossNanos / 4);
        }

        @Override
        void forgetMeasures() {
            rtt.reset();
            sent.reset();
            received.reset();
            late.reset();
            unexpected.reset();
        }

        @Override
        void restartCount() {
            issued.set(inFlight.sum()); // datagrams in flight count toward --count
        }

        @Override
        void start() {
            for (int i = 0; i < o.tunnels; i++) {
                Flow f = new Flow();
                open(f, t -> f.begin(t.channel()), this::slotEnded);
            }
        }

        @Override
        void stop() {
            inFlightAtEnd = inFlight.sum();
            super.stop();
        }

        /** One flow; everything runs on its channel's event loop. */
        final class Flow extends TunnelHandler {
            private Channel ch;
            private long nextSeq;
            /** Sequence number to send time, oldest first. */
            private final LinkedHashMap<Long, Long> outstanding = new LinkedHashMap<>();
            /** Sequence numbers counted lost whose echo may still come (bounded; older ones are forgotten). */
            private final java.util.Set<Long> declaredLost = new java.util.LinkedHashSet<>();
            private ScheduledFuture<?> timer;
            private boolean done;
            private boolean ended;

            void begin(Channel channel) {
                ch = channel;
                for (int i = 0; i < o.window && !done; i++) {
                    send();
                }
                ch.flush();
                timer = ch.eventLoop().scheduleAtFixedRate(this::expire, checkNanos, checkNanos, TimeUnit.NANOSECONDS);
            }

            private void send() {
                if (stopping || !claim(issued)) {
                    done = true;
                    if (outstanding.isEmpty()) {
                        end();
                    }
                    return;
                }
                long seq = nextSeq++;
                long now = System.nanoTime();
                ByteBuf b = ch.alloc().directBuffer(o.size);
                b.writeLong(seq).writeLong(now);
                int filler = o.size - 16;
                while (filler > 0) {
                    int n = Math.min(filler, SourceServer.CHUNK);
                    ByteBuf p = SourceServer.payload(n);
                    b.writeBytes(p);
                    p.release();
                    filler -= n;
                }
                outstanding.put(seq, now);
                inFlight.increment();
                sent.increment();
                s.bytesOut.add(o.size);
                ch.write(b, ch.voidPromise());
            }

            /** The flow sends no more: the run may end once no flow can. */
            private void end() {
                if (ended) {
                    return;
                }
                ended = true;
                if (timer != null) {
                    timer.cancel(false);
                }
                slotEnded();
            }

            @Override
            void received(ChannelHandlerContext ctx, ByteBuf b) {
                long now = System.nanoTime();
                if (b.readableBytes() < 16) {
                    unexpected.increment();
                    return;
                }
                long seq = b.getLong(b.readerIndex());
                Long at = outstanding.remove(seq);
                if (at == null) {
                    if (declaredLost.remove(seq)) {
                        late.increment();
                    } else {
                        unexpected.increment();
                    }
                    return;
                }
                inFlight.decrement();
                received.increment();
                s.ops.increment();
                rtt.record((now - at) / 1000);
                if (!done) {
                    send();
                } else if (outstanding.isEmpty()) {
                    end();
                }
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                ctx.flush();
            }

            /** Counts datagrams older than --loss-timeout lost and sends one for each. */
            private void expire() {
                long now = System.nanoTime();
                int replaced = 0;
                var it = outstanding.entrySet().iterator();
                while (it.hasNext()) {
                    var e = it.next();
                    if (now - e.getValue() < lossNanos) {
                        break; // insertion order is send order: the rest are younger
                    }
                    it.remove();
                    inFlight.decrement();
                    s.lost.increment();
                    declaredLost.add(e.getKey());
                    if (declaredLost.size() > 65_536) {
                        declaredLost.remove(declaredLost.iterator().next());
                    }
                    replaced++;
                }
                for (int i = 0; i < replaced && !done; i++) {
                    send();
                }
                if (replaced > 0) {
                    if (done && outstanding.isEmpty()) {
                        end();
                    } else {
                        ch.flush();
                    }
                }
            }

            @Override
            boolean finished() {
                return done;
            }

            @Override
            String closedEarly() {
                return "flow closed during the run";
            }

            @Override
            void closed() {
                if (timer != null) {
                    timer.cancel(false);
                }
                inFlight.add(-outstanding.size());
                outstanding.clear();
                if (opened) {
                    done = true;
                    end();
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // A datagram socket reports an ICMP port unreachable as an exception and stays usable: count it
                // once per flow; what it cost shows as lost datagrams. Anything else ends the flow.
                report(cause);
                if (!(cause instanceof java.net.PortUnreachableException)) {
                    ctx.close();
                }
            }
        }

        @Override
        void results(double seconds, Map<String, Object> totals, Map<String, LogLinearHistogram> latencies,
                     List<String> summary) {
            long nSent = sent.sum();
            long nRecv = received.sum();
            long nLost = s.lost.sum();
            long bytesOut = s.bytesOut.sum();
            long bytesIn = s.bytesIn.sum();
            double ppsOut = seconds > 0 ? nSent / seconds : 0;
            double ppsIn = seconds > 0 ? nRecv / seconds : 0;
            double mbOut = seconds > 0 ? bytesOut / seconds / 1e6 : 0;
            double mbIn = seconds > 0 ? bytesIn / seconds / 1e6 : 0;
            long atEnd = Math.max(0, inFlightAtEnd);
            double lossPct = nRecv + nLost > 0 ? 100.0 * nLost / (nRecv + nLost) : 0;
            totals.put("size", o.size);
            totals.put("window", o.window);
            totals.put("flows", o.tunnels);
            totals.put("seconds", Stats.round(seconds, 3));
            totals.put("datagramsSent", nSent);
            totals.put("datagramsEchoed", nRecv);
            totals.put("datagramsLost", nLost);
            totals.put("datagramsLate", late.sum());
            totals.put("datagramsUnexpected", unexpected.sum());
            totals.put("datagramsInFlightAtEnd", atEnd);
            totals.put("lossPercent", Stats.round(lossPct, 4));
            totals.put("packetsPerSecSent", Stats.round(ppsOut, 1));
            totals.put("packetsPerSecEchoed", Stats.round(ppsIn, 1));
            totals.put("bytesSent", bytesOut);
            totals.put("bytesReceived", bytesIn);
            totals.put("mbpsSent", Stats.round(mbOut, 3));
            totals.put("mbpsReceived", Stats.round(mbIn, 3));
            summary.add(String.format(Locale.ROOT,
                    "  datagrams    %d sent, %d echoed in %.2f s (%d B each, window %d, %d flow%s)", nSent, nRecv,
                    seconds, o.size, o.window, o.tunnels, o.tunnels == 1 ? "" : "s"));
            summary.add(String.format(Locale.ROOT, "  rate         %.1f pkt/s sent, %.1f pkt/s echoed; payload %.2f MB/s "
                    + "out, %.2f MB/s in", ppsOut, ppsIn, mbOut, mbIn));
            summary.add(rtt.count() == 0 ? "  round trip   no datagram was echoed" : "  round trip   " + percentiles(rtt));
            summary.add(String.format(Locale.ROOT, "  lost         %d (%.3f %%, not echoed within %s), %d late, %d in "
                    + "flight at the end%s", nLost, lossPct, Report.ms(o.lossTimeout.toNanos() / 1000), late.sum(),
                    atEnd, unexpected.sum() > 0 ? ", " + unexpected.sum() + " unexpected" : ""));
            tunnelTotals(totals, summary);
            latencies.put("udpRoundTrip", rtt);
            openLatencies(latencies);
        }
    }
}
