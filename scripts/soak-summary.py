#!/usr/bin/env python3
"""The summary of a scripts/soak.sh run, and its growth verdict (not run on its own; soak.sh calls it).

usage: soak-summary.py SAMPLES_CSV SNAPSHOTS_CSV [--faults]

SAMPLES_CSV: a row every few seconds (elapsed_s, and per proxy rss_kb, fds, old_kb, tunnels).
SNAPSHOTS_CSV: a row at the end of every cycle, once its workloads are done (label "cycle-N"), and one after the
load, once the tunnels have drained (label "after"): per proxy rss_kb, fds, live_kb (heap in use right after a full
collection, i.e. the live data) and tunnels.

The load period is cut into thirds. For every quantity it prints, per third, the start, min, max and end of the
samples (the curve), and the cycle-end snapshots' mean. The verdict ("grows without bound") compares the LAST
third with the MIDDLE third, both after warm-up (the first third: JIT, heap sizing, connection pools, TLS caches),
on the cycle-end snapshots: they are taken at the same point of every cycle, with the same work just finished,
so a level that still rises from the middle to the last third is growth, and the phase of the workload is not.
A quantity GROWS when last mean > middle mean * 1.10 + a small absolute slack (RSS 16 MiB, live heap 4 MiB,
fds 8, tunnels 8). After the load, both proxies must be back to no open tunnel.
Exit status 3 when something grew or tunnels were left open, 0 otherwise.
"""

import csv
import sys

QUANTITIES = [  # column stem, label, unit, divisor, absolute slack (in the unit)
    ("rss", "RSS", "MiB", 1024, 16),
    ("live", "heap after GC", "MiB", 1024, 4),
    ("fds", "open fds", "", 1, 8),
    ("tunnels", "tunnels", "", 1, 8),
]
RELATIVE_SLACK = 0.10


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def value(row, col, divisor):
    v = row.get(col)
    return float(v) / divisor if v not in (None, "") else None


def main():
    samples = read(sys.argv[1])
    snapshots = read(sys.argv[2])
    faults = "--faults" in sys.argv[3:]
    cycles = [r for r in snapshots if r["label"].startswith("cycle-")]
    after = [r for r in snapshots if r["label"] == "after"]
    if not samples or not cycles:
        print("no samples or no finished cycle: nothing to judge")
        return 3
    load_end = float(cycles[-1]["elapsed_s"])
    thirds = [(load_end * k / 3, load_end * (k + 1) / 3) for k in range(3)]

    def in_third(rows, k):
        lo, hi = thirds[k]
        return [r for r in rows if lo <= float(r["elapsed_s"]) < hi or (k == 2 and float(r["elapsed_s"]) == hi)]

    print("the load's thirds (s): " + ", ".join("%d-%d" % (lo, hi) for lo, hi in thirds)
          + "; samples: start, min, max, end of each third; cycle ends: mean of the snapshots taken as each cycle's"
          + " work is done (the live heap only there: a full GC each)")
    print("%-6s %-18s %-10s %9s %9s %9s %9s %12s" % ("proxy", "quantity", "third", "start", "min", "max", "end",
                                                      "cycle ends"))
    grew, notes = [], []
    for proxy in ("a", "b"):
        for stem, label, unit, divisor, slack in QUANTITIES:
            col = "%s_%s%s" % (proxy, stem, "_kb" if unit == "MiB" else "")
            means = []
            for k in range(3):
                curve = [v for v in (value(r, col, divisor) for r in in_third(samples, k)) if v is not None]
                ends = [v for v in (value(r, col, divisor) for r in in_third(cycles, k)) if v is not None]
                mean = sum(ends) / len(ends) if ends else None
                means.append(mean)
                fmt = lambda v: "%9.1f" % v if v is not None else "%9s" % "-"
                print("%-6s %-18s %-10s %s %s %s %s %12s" % (
                    proxy.upper() if k == 0 else "", (label + (" " + unit if unit else "")) if k == 0 else "",
                    "%d-%d min" % (round(thirds[k][0] / 60), round(thirds[k][1] / 60)),
                    fmt(curve[0] if curve else None), fmt(min(curve) if curve else None),
                    fmt(max(curve) if curve else None), fmt(curve[-1] if curve else None),
                    "%.1f" % mean if mean is not None else "-"))
            if after:
                v = value(after[-1], col, divisor)
                print("%-6s %-18s %-10s %9s %9s %9s %9s %12s" % ("", "", "after load", "", "", "", "",
                                                                  "%.1f" % v if v is not None else "-"))
            middle, last = means[1], means[2]
            if proxy == "b" and faults:
                continue  # B is killed and started again every cycle: there is no one process to grow
            if middle is None or last is None:
                notes.append("%s %s: too few cycles per third to judge" % (proxy.upper(), label))
            elif last > middle * (1 + RELATIVE_SLACK) + slack:
                grew.append("%s %s (middle third %.1f, last third %.1f%s)" % (
                    proxy.upper(), label, middle, last, " " + unit if unit else ""))
    left_open = []
    if after:
        for proxy in ("a", "b"):
            t = value(after[-1], proxy + "_tunnels", 1)
            if t:
                left_open.append("%s %d" % (proxy.upper(), t))
    else:
        notes.append("no snapshot after the load: tunnels left open not checked")
    if faults:
        notes.append("B is restarted every cycle (--faults): only A's growth is judged")
    for n in notes:
        print("note: " + n)
    if grew:
        print("GROWS (last third above the middle third by more than 10% + slack): " + "; ".join(grew))
    if left_open:
        print("TUNNELS LEFT OPEN after the load drained: " + ", ".join(left_open))
    if not grew and not left_open:
        print("no growth: every quantity's last third within 10% (+ slack) of its middle third, no tunnel left open")
    return 3 if grew or left_open else 0


if __name__ == "__main__":
    sys.exit(main())
