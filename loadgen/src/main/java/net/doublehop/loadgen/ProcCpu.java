package net.doublehop.loadgen;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of processes from /proc/PID/stat (Linux, proc(5)): user + system time, in clock ticks.
 *
 * <p>A process is counted with its descendants: socat's UDP relay, for one, forks a child per peer and the child
 * does the relaying, so the parent's own time would be nearly zero. A child still running is read from its own
 * stat; one that has ended and been waited for is in its parent's cutime + cstime. So the sum over the tree only
 * grows while the processes run, and the difference of two reads is what the tree used in between.
 */
final class ProcCpu {

    /**
     * Clock ticks per second of /proc's times. The kernel reports them in USER_HZ, which is 100 on every
     * architecture Linux runs Java on (x86, arm, arm64, ppc, s390, riscv; only alpha and ia64 differ), whatever the
     * kernel's own HZ; sysconf(_SC_CLK_TCK) is not reachable from Java without a process or native code.
     */
    static final long TICKS_PER_SECOND = 100;

    private ProcCpu() { }

    /** What one stat line says: parent, own time and reaped children's time, ticks. */
    record Stat(long pid, long ppid, long ownTicks, long childrenTicks) { }

    /**
     * Parses one /proc/PID/stat line. The command name (field 2) is in parentheses and may itself hold spaces and
     * parentheses, so the fields are counted from the last ')': then state (3), ppid (4), ... utime (14),
     * stime (15), cutime (16), cstime (17).
     */
    static Stat parse(String line) {
        int close = line.lastIndexOf(')');
        int open = line.indexOf('(');
        if (close < 0 || open < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + line);
        }
        long pid = Long.parseLong(line.substring(0, open).trim());
        String[] f = line.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state): field n is f[n - 3]
        if (f.length < 15) {
            throw new IllegalArgumentException("short /proc/PID/stat line: " + line);
        }
        long ppid = Long.parseLong(f[1]);
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        return new Stat(pid, ppid, own, children);
    }

    /** One process's stat, or null if it cannot be read (gone, not Linux). */
    static Stat read(long pid) {
        try {
            return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * CPU ticks used so far by each pid and its descendants (own + reaped children's, over the tree); a pid that
     * cannot be read is left out. The whole of /proc is read once to find the descendants.
     */
    static Map<Long, Long> treeTicks(List<Long> pids) {
        Map<Long, Stat> all = new HashMap<>();
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path p : ds) {
                Stat s = read(Long.parseLong(p.getFileName().toString()));
                if (s != null) {
                    all.put(s.pid(), s);
                    children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s.pid());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: every pid is left out below
        }
        Map<Long, Long> m = new LinkedHashMap<>();
        for (long pid : pids) {
            Stat root = all.containsKey(pid) ? all.get(pid) : read(pid);
            if (root == null) {
                continue;
            }
            m.put(pid, sum(root, all, children));
        }
        return m;
    }

    private static long sum(Stat root, Map<Long, Stat> all, Map<Long, List<Long>> children) {
        long ticks = 0;
        Deque<Stat> todo = new ArrayDeque<>();
        todo.push(root);
        while (!todo.isEmpty()) {
            Stat s = todo.pop();
            ticks += s.ownTicks() + s.childrenTicks();
            for (long c : children.getOrDefault(s.pid(), List.of())) {
                Stat cs = all.get(c);
                if (cs != null && cs.pid() != root.pid()) {
                    todo.push(cs);
                }
            }
        }
        return ticks;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
