#!/usr/bin/env python3
"""Slowloris client for scripts/slowloris.sh: many TLS connections to a proxy, each sending
'CONNECT 127.0.0.1:1 HTTP/1.1\\r\\n' and then one header byte per interval, never finishing the header.

Counts what the proxy did with them: how many it held at once, how many it closed (and after how long, and whether
it answered 408 first). Prints a JSON summary at the end. Run with --help for the options."""

import argparse
import asyncio
import json
import ssl
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(
        description="Open --connections TLS connections to --host:--port (at most --rate new ones per second), "
                    "send a CONNECT request line and then one header byte every --interval seconds, forever. "
                    "The proxy's request-header deadline should close them; this counts what it did. Stops at "
                    "--duration seconds and prints a JSON summary (held at peak, closed by the proxy, 408s, "
                    "seconds from open to close).")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--connections", type=int, default=10000, help="slow connections to open (default 10000)")
    p.add_argument("--rate", type=float, default=250, help="new connections per second (default 250)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between header bytes (default 1)")
    p.add_argument("--duration", type=float, default=120, help="seconds to run in all (default 120)")
    p.add_argument("--status-file", help="file to rewrite every second with one JSON line of counters")
    return p.parse_args()


class Stats:
    def __init__(self):
        self.started = 0
        self.open = 0
        self.peak_open = 0
        self.handshake_failed = 0
        self.closed_by_proxy = 0
        self.answered_408 = 0
        self.answered_other = 0
        self.lifetimes = []
        self.bytes_sent = 0
        self.all_open_at = None

    def snapshot(self, t0):
        life = sorted(self.lifetimes)

        def pct(q):
            return round(life[min(len(life) - 1, int(q * len(life)))], 2) if life else None

        return {"elapsed_s": round(time.monotonic() - t0, 1), "started": self.started, "open": self.open,
                "peak_open": self.peak_open, "handshake_failed": self.handshake_failed,
                "closed_by_proxy": self.closed_by_proxy, "answered_408": self.answered_408,
                "answered_other": self.answered_other, "header_bytes_sent": self.bytes_sent,
                "lifetime_s_min": pct(0), "lifetime_s_p50": pct(0.5), "lifetime_s_max": pct(1.0)}


HEADER = b"X-Slow: " + b"a" * 4000 + b"\r\n"


async def slow_connection(args, ctx, stats):
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(args.host, args.port, ssl=ctx, server_hostname="localhost"), 30)
    except Exception:
        stats.handshake_failed += 1
        return
    opened = time.monotonic()
    stats.open += 1
    stats.peak_open = max(stats.peak_open, stats.open)
    closed = asyncio.Event()

    async def read():
        try:
            data = await reader.read(4096)
            if data.startswith(b"HTTP/1.1 408"):
                stats.answered_408 += 1
            elif data:
                stats.answered_other += 1
            while data:
                data = await reader.read(4096)
        except Exception:
            pass
        closed.set()

    reader_task = asyncio.ensure_future(read())
    try:
        writer.write(b"CONNECT 127.0.0.1:1 HTTP/1.1\r\n")
        await writer.drain()
        i = 0
        while not closed.is_set():
            try:
                await asyncio.wait_for(closed.wait(), args.interval)
                break
            except asyncio.TimeoutError:
                pass
            writer.write(HEADER[i % len(HEADER):i % len(HEADER) + 1])
            stats.bytes_sent += 1
            i += 1
            await writer.drain()
    except Exception:
        pass
    await closed.wait()
    stats.open -= 1
    stats.closed_by_proxy += 1
    stats.lifetimes.append(time.monotonic() - opened)
    reader_task.cancel()
    try:
        writer.close()
    except Exception:
        pass


async def main():
    args = parse_args()
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    stats = Stats()
    t0 = time.monotonic()
    tasks = []

    async def report():
        while True:
            if args.status_file:
                with open(args.status_file, "w") as f:
                    f.write(json.dumps(stats.snapshot(t0)) + "\n")
            await asyncio.sleep(1)

    reporter = asyncio.ensure_future(report())
    for n in range(args.connections):
        due = t0 + n / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        stats.started += 1
        tasks.append(asyncio.ensure_future(slow_connection(args, ctx, stats)))
        if time.monotonic() - t0 > args.duration:
            break
    remaining = args.duration - (time.monotonic() - t0)
    if remaining > 0:
        await asyncio.wait(tasks, timeout=remaining)
    reporter.cancel()
    summary = stats.snapshot(t0)
    if args.status_file:
        with open(args.status_file, "w") as f:
            f.write(json.dumps(summary) + "\n")
    print(json.dumps(summary))
    sys.stdout.flush()
    # Whatever is still open is dropped with the process.
    import os
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
