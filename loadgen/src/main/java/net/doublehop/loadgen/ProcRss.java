package net.doublehop.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Resident set size of processes, from /proc/PID/status (Linux). */
final class ProcRss {

    private ProcRss() { }

    /** VmRSS in KiB per pid; a pid whose status cannot be read is left out. */
    static Map<Long, Long> read(List<Long> pids) {
        Map<Long, Long> m = new LinkedHashMap<>();
        for (long pid : pids) {
            Long kib = read(pid);
            if (kib != null) {
                m.put(pid, kib);
            }
        }
        return m;
    }

    static Long read(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] w = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(w[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
