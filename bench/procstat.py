"""What a process has used so far, read from /proc: CPU time, resident memory and bytes written to storage.

Works for this process ("self") and for children (their pid), so the peer benchmark measures Kairos,
Prometheus and blackbox_exporter the same way. Every figure covers all the process's threads (the SQLite
writer thread included)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Usage:
    cpu_s: float  # user + system, all threads
    rss_bytes: int
    peak_rss_bytes: int
    write_bytes: int  # pages this process dirtied for storage (0 where the kernel does not account it)


def usage(pid: int | str = "self") -> Usage:
    proc = Path("/proc") / str(pid)
    # Fields after the command name (which may hold spaces and parentheses): utime and stime are 14 and 15.
    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS
    status = _keyed(proc / "status")
    io = _keyed(proc / "io")
    return Usage(
        cpu_s=cpu,
        rss_bytes=status.get("VmRSS", 0) * 1024,
        peak_rss_bytes=status.get("VmHWM", 0) * 1024,
        write_bytes=io.get("write_bytes", 0),
    )


def _keyed(path: Path) -> dict[str, int]:
    """``key: number [kB]`` lines as a dict (unreadable file: empty, e.g. /proc/PID/io of another user)."""
    out: dict[str, int] = {}
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        key, _, rest = line.partition(":")
        words = rest.split()
        if words and words[0].isdigit():
            out[key] = int(words[0])
    return out


def tree_size(path: Path) -> int:
    """Bytes of all files under path (a database file and its WAL, or a TSDB directory)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
