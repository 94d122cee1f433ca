#!/usr/bin/env python3
"""A mixed run: the engine's steady state for each kind of check in turn, and one table of CPU per check.

For every kind, ``bench/engine.py`` runs in a fresh process (so one kind's heap, caches and garbage collector do
not colour the next) against a loopback server in yet another process (so the server's CPU is not counted):

- HTTP: the engine's JSON target, with the engine's ``ASSERTIONS`` (three JSON paths, a header, the time);
- TCP with ``tls: true``: a TLS listener with a leaf of a throwaway CA (``tests/servers/certs.py``); the engine
  trusts that CA alone (``SSL_CERT_FILE``), so every handshake verifies a chain as against a real server;
- DNS: the tests' dnslib server (``tests/servers/dns.py``), asked for an A record with one expected value;
- PUSH: a heartbeat read per check, no network.

Prints each engine's own report, then: kind, checks measured, CPU per check, scheduling lag p99 and the share
of resources AVAILABLE at the end (a check that fails costs differently; the share says every check was a success).

    .venv/bin/python bench/kinds.py [--resources 500] [--interval 10] [--duration 30] [--kinds HTTP,TCP,DNS,PUSH]

``python bench/kinds.py serve-tls CERT KEY`` and ``serve-dns`` are the servers (each prints "listening on
127.0.0.1:PORT" and runs until terminated). Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text

from tests.servers.certs import make_pki
from tests.servers.dns import dns_servers

HERE = Path(__file__).resolve().parent
KINDS = ("HTTP", "TCP", "DNS", "PUSH")
_CHECKS = re.compile(r"steady state over .*?: (\d+) checks")
_CPU = re.compile(r"CPU per check: ([\d.]+) ms")
_P99 = re.compile(r"scheduling lag ms: .*?p99 (-?[\d.]+|nan)")


@dataclass(frozen=True)
class Row:
    kind: str
    checks: int
    cpu_ms: float
    lag_p99_ms: float
    up_share: float


# ---- the loopback servers, each run in its own process ----


async def _serve_tls(cert: str, key: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:  # the handshake is done by now; the probe closes at once
            await reader.read(1)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context, backlog=4096)
    print(f"listening on 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


def _serve_dns() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with dns_servers() as servers:
        print(f"listening on {servers.resolver}", flush=True)
        stop.wait()


@contextmanager
def _server(*argv: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start ``kinds.py argv...``; yield the "127.0.0.1:PORT" it listens on."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *argv], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().split()[2]
    finally:
        proc.terminate()
        proc.wait(10)


# ---- the engine, once per kind ----


def _engine(kind: str, args: argparse.Namespace, work: Path, extra: list[str], env: dict[str, str] | None) -> Row:
    db = work / f"{kind.lower()}.db"
    argv = [
        *("--kind", kind, "--resources", str(args.resources), "--interval", str(args.interval)),
        *("--duration", str(args.duration), "--db", f"sqlite+aiosqlite:///{db}", *extra),
    ]
    print(f"\n== {kind}: bench/engine.py {' '.join(argv)}", flush=True)
    out = subprocess.run(
        [sys.executable, str(HERE / "engine.py"), *argv], capture_output=True, text=True, env=env, check=False
    )
    print(out.stdout, end="", flush=True)
    if out.returncode != 0:
        raise SystemExit(f"engine.py --kind {kind} failed:\n{out.stderr[-3000:]}")
    return Row(kind, int(_find(_CHECKS, out.stdout)), float(_find(_CPU, out.stdout)), _lag(out.stdout), _up(db))


def _find(pattern: re.Pattern[str], output: str) -> str:
    match = pattern.search(output)
    if match is None:
        raise SystemExit(f"engine.py printed no {pattern.pattern!r}")
    return match.group(1)


def _lag(output: str) -> float:
    return float(_find(_P99, output))  # "nan" when no check was late or early enough to count


def _up(db: Path) -> float:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM resource_state GROUP BY status")).all()
    finally:
        engine.dispose()
    total = sum(int(n) for _, n in rows)
    return sum(int(n) for status, n in rows if status == "AVAILABLE") / max(total, 1)


def _run_kind(kind: str, args: argparse.Namespace, work: Path) -> Row:
    if kind == "HTTP":
        return _engine(kind, args, work, ["--assertions"], None)
    if kind == "PUSH":
        return _engine(kind, args, work, [], None)
    if kind == "DNS":
        with _server("serve-dns") as endpoint:
            return _engine(kind, args, work, ["--endpoint", endpoint], None)
    pki = make_pki(work)
    ca = work / "ca.pem"
    ca.write_text(pki.ca_pem)
    env = {**os.environ, "SSL_CERT_FILE": str(ca)}  # the engine trusts the throwaway CA, and only it
    with _server("serve-tls", str(pki.valid.cert), str(pki.valid.key)) as endpoint:
        return _engine(kind, args, work, ["--tls", "--endpoint", endpoint], env)


def _table(rows: list[Row], args: argparse.Namespace) -> None:
    print(f"\n{args.resources} resources every {args.interval} s per kind, {args.duration:.0f} s measured per kind")
    print(f"{'kind':<10} {'checks':>7} {'CPU/check ms':>13} {'lag p99 ms':>11} {'avail.':>6}")
    names = {"HTTP": "HTTP+JSON", "TCP": "TCP+TLS"}
    for r in rows:
        print(
            f"{names.get(r.kind, r.kind):<10} {r.checks:>7} {r.cpu_ms:>13.3f} {r.lag_p99_ms:>11.1f} "
            f"{r.up_share * 100:>5.0f}%"
        )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve-tls":
        asyncio.run(_serve_tls(sys.argv[2], sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "serve-dns":
        _serve_dns()
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--resources", type=int, default=500)
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of steady state measured per kind")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, from " + ",".join(KINDS))
    args = ap.parse_args()
    kinds = [k.strip().upper() for k in args.kinds.split(",") if k.strip()]
    if unknown := [k for k in kinds if k not in KINDS]:
        ap.error(f"unknown kind(s): {', '.join(unknown)}")
    # /var/tmp, not /tmp: where /tmp is a tmpfs, the kernel accounts no write_bytes (see engine.py).
    work = Path(tempfile.mkdtemp(prefix="kairos-kinds-", dir="/var/tmp"))
    try:
        rows = [_run_kind(kind, args, work) for kind in kinds]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _table(rows, args)


if __name__ == "__main__":
    main()
