#!/usr/bin/env python3
"""How long ``kairos`` takes to start: the wall time of a few commands, each in a fresh process.

Runs ``kairos --help``, ``kairos --version``, ``kairos check http http://127.0.0.1:PORT/`` and
``kairos check tcp 127.0.0.1:PORT`` (PORT: a loopback port just found closed, so the check is refused at once
and the figure is the start-up, not the network), ``--runs`` times each (default 5), and prints the median wall
time and the median CPU time (user + system) of the process in milliseconds. On a loaded machine the wall time
swings with the load; the CPU time is what start-up costs. Uses the ``kairos`` script next to this Python (the
venv's), as a user would; ``--module`` runs ``python -m kairos.cli.main`` instead, and ``--source DIR`` runs the
``kairos`` package found in DIR (e.g. an older commit from ``git archive``) for a before/after comparison.
Asserts nothing; no traffic leaves 127.0.0.1.

    .venv/bin/python bench/cli_start.py [--runs 5] [--module] [--source DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def closed_port() -> int:
    """A loopback port nobody listens on: bound, then released, so a connect is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def kairos_command(module: bool) -> list[str]:
    script = Path(sys.executable).with_name("kairos")
    if module or not script.exists():
        return [sys.executable, "-m", "kairos.cli.main"]
    return [str(script)]


def run_ms(argv: list[str], env: dict[str, str], cwd: str) -> tuple[float, float]:
    """(wall, CPU) milliseconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command (default 5)")
    parser.add_argument("--module", action="store_true", help="run python -m kairos.cli.main, not the script")
    parser.add_argument("--source", type=Path, help="run the kairos package in this directory (implies --module)")
    args = parser.parse_args()
    port = closed_port()
    base = kairos_command(args.module or args.source is not None)
    commands = {
        "--help": ["--help"],
        "--version": ["--version"],
        "check http": ["check", "http", f"http://127.0.0.1:{port}/"],
        "check tcp": ["check", "tcp", f"127.0.0.1:{port}"],
    }
    # A clean environment and an empty working directory: no .env file, no KAIROS_* of the caller.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAIROS_")}
    with tempfile.TemporaryDirectory(prefix="kairos-cli-start-") as cwd:
        env["KAIROS_DATA_DIR"] = cwd
        if args.source is not None:
            env["PYTHONPATH"] = str(args.source.resolve())
        where = f" with PYTHONPATH={args.source}" if args.source else ""
        print(f"{' '.join(base)}{where}  ({args.runs} fresh processes each, medians)")
        print(f"{'command':<12}{'wall':>9}{'CPU':>9}")
        for label, extra in commands.items():
            run_ms(base + extra, env, cwd)  # once to warm the page cache and the .pyc files
            runs = [run_ms(base + extra, env, cwd) for _ in range(args.runs)]
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            print(f"{label:<12}{wall:>7.0f}ms{cpu:>7.0f}ms")


if __name__ == "__main__":
    main()
