package net.doublehop.loadgen;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.doublehop.loadgen.Options.Workload;

/**
 * The CPU time the --pids processes (each with its descendants, see {@link ProcCpu}) and the generator itself used
 * during the measured window (after the warm-up), and what that is per unit of the workload's work: ms per MB
 * received (bulk), per setup (setup, firstbyte), per 1,000 requests (rps), per 1,000 datagrams echoed (udp). On a
 * machine where the generator, the destination and the proxies share the CPUs, throughput depends on the other
 * tenants; CPU per unit of work much less, and it is what scales: a path's ceiling is about the cores it gets
 * divided by its CPU seconds per unit, summed over every process on the path.
 */
final class CpuCost {

    /** CPU ticks of every listed pid and of the generator at one moment, and the work counted by then. */
    record Snapshot(long nanos, Map<Long, Long> ticks, Long generatorTicks, long bytes, long ops) { }

    /**
     * What a workload's cost is counted per: its name, how many bytes (perByte) or operations make one, and what
     * the work itself is called when counted (the summary's "1927 MB", "40000 requests").
     */
    record Unit(String name, double divisor, boolean perByte, String counted) {
        double of(long bytes, long ops) {
            return (perByte ? bytes : ops) / divisor;
        }
    }

    private final List<Long> pids;
    private final long self = ProcessHandle.current().pid();

    CpuCost(List<Long> pids) {
        this.pids = List.copyOf(pids);
    }

    /** Reads the processes' and the generator's CPU now, with the work counted so far. */
    Snapshot take(Stats s) {
        Map<Long, Long> ticks = pids.isEmpty() ? Map.of() : ProcCpu.treeTicks(pids);
        ProcCpu.Stat me = ProcCpu.read(self);
        return new Snapshot(System.nanoTime(), ticks, me == null ? null : me.ownTicks() + me.childrenTicks(),
                s.bytesIn.sum(), s.ops.sum());
    }

    /** The unit a workload's CPU is counted per; null for idle (its window is the opening and the holding). */
    static Unit unit(Workload w) {
        return switch (w) {
            case BULK -> new Unit("MB", 1e6, true, "MB");
            case SETUP -> new Unit("setup", 1, false, "setups");
            case FIRSTBYTE -> new Unit("tunnel", 1, false, "tunnels");
            case RPS -> new Unit("1,000 requests", 1000, false, "requests");
            case UDP -> new Unit("1,000 datagrams", 1000, false, "datagrams echoed");
            case IDLE -> null;
        };
    }

    /** CPU seconds of a number of ticks. */
    static double seconds(long ticks) {
        return ticks / (double) ProcCpu.TICKS_PER_SECOND;
    }

    /** Milliseconds of CPU per unit; null when no unit of work was done. */
    static Double msPerUnit(double cpuSeconds, double units) {
        return units > 0 ? round3(cpuSeconds * 1000 / units) : null;
    }

    /** Three significant digits (CPU is read in 10 ms ticks: more would be noise). */
    static double round3(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double scale = Math.pow(10, 2 - (int) Math.floor(Math.log10(Math.abs(v))));
        return Math.round(v * scale) / scale;
    }

    /** Adds "cpu" to the totals and its lines to the summary. */
    void report(Workload w, Snapshot from, Snapshot to, Map<String, Object> totals, List<String> summary) {
        double wall = (to.nanos() - from.nanos()) / 1e9;
        Unit unit = unit(w);
        double units = unit == null ? 0 : unit.of(to.bytes() - from.bytes(), to.ops() - from.ops());
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("windowSeconds", Stats.round(wall, 3));
        cpu.put("ticksPerSecond", ProcCpu.TICKS_PER_SECOND);
        cpu.put("unit", unit == null ? null : unit.name());
        cpu.put("units", unit == null ? null : Stats.round(units, 3));
        String per = unit == null ? "" : " per " + unit.name();
        summary.add(String.format(Locale.ROOT, "  CPU          over the measured %.2f s%s", wall,
                unit == null ? "" : String.format(Locale.ROOT, " (%.0f %s): ms of CPU%s",
                        unit.perByte() ? units : units * unit.divisor(), unit.counted(), per)));
        List<Object> procs = new ArrayList<>();
        long listedTicks = 0;
        boolean allRead = !pids.isEmpty();
        for (long pid : pids) {
            Long a = from.ticks().get(pid);
            Long b = to.ticks().get(pid);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("pid", pid);
            if (a == null || b == null) {
                allRead = false;
                p.put("cpuSeconds", null);
                procs.add(p);
                summary.add(String.format(Locale.ROOT, "    pid %-9d unreadable (no such process, or not Linux)", pid));
                continue;
            }
            listedTicks += b - a;
            procs.add(entry(p, b - a, wall, units, unit));
            summary.add(line("pid " + pid, b - a, wall, units, unit));
        }
        cpu.put("processes", procs);
        if (allRead) {
            cpu.put("listed", entry(new LinkedHashMap<>(), listedTicks, wall, units, unit));
            if (pids.size() > 1) {
                summary.add(line("listed, sum", listedTicks, wall, units, unit));
            }
        } else {
            cpu.put("listed", null);
        }
        if (from.generatorTicks() != null && to.generatorTicks() != null) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("pid", self);
            long t = to.generatorTicks() - from.generatorTicks();
            cpu.put("generator", entry(g, t, wall, units, unit));
            summary.add(line("generator", t, wall, units, unit));
        } else {
            cpu.put("generator", null);
        }
        totals.put("cpu", cpu);
    }

    private static Map<String, Object> entry(Map<String, Object> m, long ticks, double wall, double units, Unit unit) {
        double s = seconds(ticks);
        m.put("cpuSeconds", Stats.round(s, 3));
        m.put("cores", wall > 0 ? Stats.round(s / wall, 3) : null);
        if (unit != null) {
            m.put("msPerUnit", msPerUnit(s, units));
        }
        return m;
    }

    private static String line(String who, long ticks, double wall, double units, Unit unit) {
        double s = seconds(ticks);
        Double per = unit == null ? null : msPerUnit(s, units);
        return String.format(Locale.ROOT, "    %-13s %.2f s (%.2f cores)%s", who, s, wall > 0 ? s / wall : 0,
                per == null ? "" : " = " + number(per) + " ms per " + unit.name());
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : v >= 1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
