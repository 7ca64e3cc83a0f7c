package net.doublehop.runtime.listen;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import net.doublehop.protocol.ProxyErrorType;
import net.doublehop.protocol.ProxyFailure;

/**
 * {@code limits.memory-watermark}: while the heap or the direct memory in use is above this fraction of its maximum,
 * new tunnels are refused with 503 (and {@code Retry-After}); tunnels already open keep running, and new ones are
 * admitted again as soon as the use drops below. A proxy shedding new work this way degrades for the users who
 * arrive during the peak, where an exhausted heap ({@link OutOfMemoryError}) or direct memory would fail every
 * tunnel at once, the admitted ones too.
 *
 * <p>Read on the admission path, at most once per {@link #SAMPLE_NANOS} (the readings are cheap but not free; a
 * tenth of a second late is harmless next to the seconds a heap takes to fill). The heap reading includes garbage
 * not yet collected, hence a high default (0.9): a collector keeps a healthy heap well below that. The direct
 * reading is what Netty allocated itself ({@link PlatformDependent#usedDirectMemory()}) plus the JDK's direct
 * buffers, against Netty's bound ({@code -XX:MaxDirectMemorySize} or {@code -Dio.netty.maxDirectMemory}).
 */
public final class MemoryWatermark {

    public static final ProxyFailure OVER = new ProxyFailure(ProxyErrorType.CONNECTION_LIMIT_REACHED, 503,
            "proxy memory above its watermark");

    static final long SAMPLE_NANOS = 100_000_000L;

    /** The memory in use and its bound; both in bytes. */
    public record Reading(long heapUsed, long heapMax, long directUsed, long directMax) {

        /** The larger of the two fractions in use. */
        public double fraction() {
            double heap = heapMax > 0 ? (double) heapUsed / heapMax : 0;
            double direct = directMax > 0 ? (double) directUsed / directMax : 0;
            return Math.max(heap, direct);
        }
    }

    /** Where the readings come from: the running JVM, or a test's numbers. */
    public interface Source {
        Reading read();
    }

    private final double watermark;
    private final Source source;
    private final LongSupplier nanoTime;
    private final AtomicLong nextSample;
    private volatile boolean over;
    private volatile double lastFraction;

    public MemoryWatermark(double watermark, Source source, LongSupplier nanoTime) {
        if (!(watermark > 0 && watermark <= 1)) {
            throw new IllegalArgumentException("memory watermark must be a fraction in (0, 1]");
        }
        this.watermark = watermark;
        this.source = source;
        this.nanoTime = nanoTime;
        this.nextSample = new AtomicLong(nanoTime.getAsLong());
    }

    /** This JVM's heap and direct memory. */
    public static MemoryWatermark ofThisJvm(double watermark) {
        return new MemoryWatermark(watermark, JVM, System::nanoTime);
    }

    /** This JVM's heap and direct memory in use now, as the watermark reads them. */
    public static Reading readThisJvm() {
        return JVM.read();
    }

    private static final Source JVM = jvm();

    /** Refuses with {@link #OVER} while the memory in use is above the watermark. */
    public void check() {
        if (isOver()) {
            throw OVER;
        }
    }

    /** Whether the memory in use is above the watermark now (reading again when the last reading is stale). */
    public boolean isOver() {
        if (watermark >= 1) {
            return false; // off: in-use never exceeds the maximum
        }
        long now = nanoTime.getAsLong();
        long next = nextSample.get();
        if (now - next >= 0 && nextSample.compareAndSet(next, now + SAMPLE_NANOS)) {
            double fraction = source.read().fraction();
            lastFraction = fraction;
            over = fraction > watermark;
        }
        return over;
    }

    /** The fraction in use at the last reading (for the metrics). */
    public double lastFraction() {
        return lastFraction;
    }

    public double watermark() {
        return watermark;
    }

    private static Source jvm() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).toList();
        return () -> {
            var heap = memory.getHeapMemoryUsage();
            long heapMax = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
            // Netty counts what it allocates without a Cleaner (-1 when it does not allocate that way); what it
            // allocates with one is among the JDK's direct buffers.
            long direct = Math.max(0, PlatformDependent.usedDirectMemory());
            for (BufferPoolMXBean p : pools) {
                direct += Math.max(0, p.getMemoryUsed());
            }
            return new Reading(heap.getUsed(), heapMax, direct, PlatformDependent.maxDirectMemory());
        };
    }
}
