package net.doublehop.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.doublehop.loadgen.Options.Workload;
import org.junit.jupiter.api.Test;

/** CPU time from /proc/PID/stat and what the report derives from it. */
class CpuCostTest {

    @Test
    void parsesAStatLineWhoseCommandHoldsSpacesAndParentheses() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
        String line = "4242 (a (b) c) S 17 4242 4242 0 -1 4194560 900 0 3 0 250 75 10 5 20 0 4 0 1234 5678 99\n";
        ProcCpu.Stat s = ProcCpu.parse(line);
        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.ppid()).isEqualTo(17);
        assertThat(s.ownTicks()).isEqualTo(325);
        assertThat(s.childrenTicks()).isEqualTo(15);
        assertThatThrownBy(() -> ProcCpu.parse("4242 no parentheses S 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcCpu.parse("4242 (x) S 1 2 3")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void thisJvmsStatAgreesWithItsOwnCpuClock() {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long x = 0;
        while (os.getProcessCpuTime() < 1_000_000_000L && System.nanoTime() < deadline) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime()); // at least 1 s of CPU: 100 ticks or more
        }
        long self = ProcessHandle.current().pid();
        double before = os.getProcessCpuTime() / 1e9;
        ProcCpu.Stat s = ProcCpu.read(self);
        double after = os.getProcessCpuTime() / 1e9;
        assertThat(s).as("spun %d", x).isNotNull();
        assertThat(s.pid()).isEqualTo(self);
        assertThat(s.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
        double fromStat = CpuCost.seconds(s.ownTicks());
        // USER_HZ is 100: with any other tick rate the two clocks would differ by a factor, not by a few ticks
        assertThat(fromStat).isBetween(before * 0.9 - 0.05, after * 1.1 + 0.05);
        assertThat(ProcCpu.treeTicks(List.of(self))).containsKey(self);
    }

    @Test
    void aProcessIsCountedWithItsChildren() throws Exception {
        // the child does the work (as socat's forked relays do); the parent only waits for it
        Process parent = new ProcessBuilder("sh", "-c",
                "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; exec sleep 60' & wait").start();
        try {
            long pid = parent.pid();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long tree = 0;
            while (System.nanoTime() < deadline) {
                tree = ProcCpu.treeTicks(List.of(pid)).getOrDefault(pid, 0L);
                if (tree >= 20 && parent.descendants().anyMatch(p -> p.info().command().orElse("").endsWith("sleep"))) {
                    break;
                }
                Thread.sleep(100);
            }
            ProcCpu.Stat own = ProcCpu.read(pid);
            assertThat(own).isNotNull();
            assertThat(tree).as("the child's busy loop").isGreaterThanOrEqualTo(20);
            assertThat(own.ownTicks() + own.childrenTicks()).as("the waiting parent's own").isLessThan(tree);
            assertThat(ProcCpu.treeTicks(List.of(pid, Long.MAX_VALUE))).as("no such process: left out")
                    .containsOnlyKeys(pid);
        } finally {
            parent.descendants().forEach(ProcessHandle::destroyForcibly);
            parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void derivesCostPerUnitOfEachWorkload() {
        assertThat(CpuCost.unit(Workload.BULK).of(2_500_000, 7)).isEqualTo(2.5);
        assertThat(CpuCost.unit(Workload.SETUP).of(99, 7)).isEqualTo(7);
        assertThat(CpuCost.unit(Workload.FIRSTBYTE).of(99, 7)).isEqualTo(7);
        assertThat(CpuCost.unit(Workload.RPS).of(99, 2500)).isEqualTo(2.5);
        assertThat(CpuCost.unit(Workload.UDP).of(99, 500)).isEqualTo(0.5);
        assertThat(CpuCost.unit(Workload.IDLE)).isNull();
        assertThat(CpuCost.msPerUnit(1.5, 1000)).isEqualTo(1.5);
        assertThat(CpuCost.msPerUnit(1.5, 0)).isNull();
        assertThat(CpuCost.round3(0.0123456)).isEqualTo(0.0123, within(1e-12));
        assertThat(CpuCost.round3(98765.4)).isEqualTo(98800, within(1e-9));
    }

    @Test
    void reportsEachProcessTheirSumAndTheGenerator() {
        CpuCost c = new CpuCost(List.of(11L, 22L, 33L));
        // 5 s window; 1,500 MB received; pid 11: 300 ticks, 22: 150 ticks, 33 gone; the generator 100 ticks
        CpuCost.Snapshot from = new CpuCost.Snapshot(1_000_000_000L, Map.of(11L, 1000L, 22L, 50L, 33L, 5L), 400L,
                500_000_000L, 3);
        CpuCost.Snapshot to = new CpuCost.Snapshot(6_000_000_000L, Map.of(11L, 1300L, 22L, 200L), 500L,
                2_000_000_000L, 9);
        Map<String, Object> totals = new LinkedHashMap<>();
        List<String> summary = new ArrayList<>();
        c.report(Workload.BULK, from, to, totals, summary);
        @SuppressWarnings("unchecked")
        Map<String, Object> cpu = (Map<String, Object>) totals.get("cpu");
        assertThat(cpu).containsEntry("windowSeconds", 5.0).containsEntry("unit", "MB").containsEntry("units", 1500.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> procs = (List<Map<String, Object>>) cpu.get("processes");
        assertThat(procs.get(0)).containsEntry("pid", 11L).containsEntry("cpuSeconds", 3.0)
                .containsEntry("cores", 0.6).containsEntry("msPerUnit", 2.0);
        assertThat(procs.get(1)).containsEntry("cpuSeconds", 1.5).containsEntry("msPerUnit", 1.0);
        assertThat(procs.get(2)).containsEntry("pid", 33L).containsEntry("cpuSeconds", null);
        assertThat(cpu.get("listed")).as("a sum with a process missing would mislead").isNull();
        @SuppressWarnings("unchecked")
        Map<String, Object> gen = (Map<String, Object>) cpu.get("generator");
        assertThat(gen).containsEntry("pid", ProcessHandle.current().pid()).containsEntry("cpuSeconds", 1.0)
                .containsEntry("msPerUnit", 0.667);
        assertThat(String.join("\n", summary)).contains("CPU          over the measured 5.00 s (1500 MB): ms of CPU per MB")
                .contains("pid 11        3.00 s (0.60 cores) = 2.00 ms per MB").contains("pid 33").contains("unreadable")
                .contains("generator     1.00 s (0.20 cores) = 0.667 ms per MB");

        CpuCost two = new CpuCost(List.of(11L, 22L));
        Map<String, Object> rps = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        two.report(Workload.RPS, new CpuCost.Snapshot(0, Map.of(11L, 0L, 22L, 0L), 0L, 0, 0),
                new CpuCost.Snapshot(2_000_000_000L, Map.of(11L, 100L, 22L, 300L), 50L, 0, 40_000), rps, lines);
        @SuppressWarnings("unchecked")
        Map<String, Object> cpu2 = (Map<String, Object>) rps.get("cpu");
        assertThat(cpu2).containsEntry("unit", "1,000 requests").containsEntry("units", 40.0);
        assertThat(cpu2.get("listed")).isEqualTo(Map.of("cpuSeconds", 4.0, "cores", 2.0, "msPerUnit", 100.0));
        assertThat(String.join("\n", lines)).contains("listed, sum   4.00 s (2.00 cores) = 100 ms per 1,000 requests");
    }
}
