#!/usr/bin/env python3
"""Byte-exact tunnel checks for scripts/soak.sh: through an HTTPS CONNECT proxy to a `loadgen serve`, download
--source-bytes with SOURCE (every byte compared with the server's known pattern) and send --echo-bytes of random
data through ECHO (every byte compared with what was sent). Prints one JSON line: ok, cut (the tunnel ended early,
every byte received so far correct: a fault, not a loss), corrupt (a byte differed: data lost or damaged), and
refused (the proxy answered something else than 200). Exit 0 unless a byte was corrupt."""

import argparse
import base64
import json
import os
import socket
import ssl
import sys

CHUNK = 256 * 1024  # loadgen SourceServer: each chunk is 'a'..'z' repeated from its start


def pattern(offset, n):
    out = bytearray(n)
    for i in range(n):
        out[i] = 97 + ((offset + i) % CHUNK) % 26
    return bytes(out)


PATTERN = pattern(0, CHUNK)


def expected(offset, n):
    """The SOURCE bytes at [offset, offset + n)."""
    out = bytearray()
    while n > 0:
        start = offset % CHUNK
        take = min(n, CHUNK - start)
        out += PATTERN[start:start + take]
        offset += take
        n -= take
    return bytes(out)


def tunnel(args):
    raw = socket.create_connection(("127.0.0.1", args.proxy_port), timeout=args.timeout)
    ctx = ssl.create_default_context(cafile=args.cacert)
    ctx.check_hostname = False
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    cred = base64.b64encode(args.user.encode()).decode()
    s.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\nProxy-Authorization: Basic %s\r\n\r\n"
               % (args.target, args.target, cred)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        b = s.recv(1)
        if not b:
            raise ConnectionError("closed before the answer")
        head += b
    status = int(head.split(b" ", 2)[1])
    return s, status


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        try:
            b = s.recv(min(65536, n - len(buf)))
        except (OSError, ssl.SSLError):
            break
        if not b:
            break
        buf += b
    return bytes(buf)


def check_source(args, result):
    try:
        s, status = tunnel(args)
    except OSError:
        result["refused"] += 1
        return
    if status != 200:
        result["refused"] += 1
        s.close()
        return
    s.sendall(b"SOURCE %d\n" % args.source_bytes)
    got = recv_exact(s, args.source_bytes)
    s.close()
    classify(got, expected(0, len(got)), args.source_bytes, result)


def check_echo(args, result):
    try:
        s, status = tunnel(args)
    except OSError:
        result["refused"] += 1
        return
    if status != 200:
        result["refused"] += 1
        s.close()
        return
    data = os.urandom(args.echo_bytes)
    s.sendall(b"ECHO\n")
    got = bytearray()
    step = 65536
    try:
        for i in range(0, len(data), step):  # send a piece, read it back: the echo never has to buffer much
            s.sendall(data[i:i + step])
            piece = recv_exact(s, len(data[i:i + step]))
            got += piece
            if len(piece) < len(data[i:i + step]):
                break
    except OSError:
        pass
    s.close()
    classify(bytes(got), data[:len(got)], len(data), result)


def classify(got, want, full, result):
    if got != want:
        result["corrupt"] += 1
    elif len(got) < full:
        result["cut"] += 1
    else:
        result["ok"] += 1
    result["bytes_checked"] += len(got)


def probe(args):
    import time
    t0 = time.monotonic()
    answers = []
    while time.monotonic() - t0 < args.probe_until_ok:
        try:
            s, status = tunnel(args)
            s.close()
        except OSError as e:
            status = type(e).__name__
        answers.append(status)
        if status == 200:
            print(json.dumps({"ms": round((time.monotonic() - t0) * 1000), "answers": answers}))
            return
        time.sleep(0.02)
    print(json.dumps({"ms": None, "answers": answers}))
    sys.exit(1)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--proxy-port", type=int, required=True, help="Proxy A's port on 127.0.0.1 (TLS)")
    p.add_argument("--cacert", required=True, help="the CA of the proxy's certificate")
    p.add_argument("--user", default="alice:wonderland", help="USER:PASS for Basic (default alice:wonderland)")
    p.add_argument("--target", required=True, help="HOST:PORT of a loadgen serve")
    p.add_argument("--source-bytes", type=int, default=8 << 20, help="SOURCE download size (default 8 MiB)")
    p.add_argument("--echo-bytes", type=int, default=2 << 20, help="ECHO round trip size (default 2 MiB)")
    p.add_argument("--rounds", type=int, default=1, help="each check this many times (default 1)")
    p.add_argument("--timeout", type=float, default=30, help="socket timeout, seconds (default 30)")
    p.add_argument("--probe-until-ok", type=float, metavar="SECONDS",
                   help="instead of the checks: ask for tunnels (CONNECT only) until one is answered 200, at most "
                        "SECONDS; prints the milliseconds it took and the answers before it")
    args = p.parse_args()
    if args.probe_until_ok:
        probe(args)
        return
    result = {"ok": 0, "cut": 0, "corrupt": 0, "refused": 0, "bytes_checked": 0}
    for _ in range(args.rounds):
        check_source(args, result)
        check_echo(args, result)
    print(json.dumps(result))
    sys.exit(1 if result["corrupt"] else 0)


if __name__ == "__main__":
    main()
