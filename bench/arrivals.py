"""When checks reached the target, from the target's own record (``bench/target.py``): how long until every
resource had been checked once, how evenly each resource's checks are spaced, and how bursty the rate is.

Times are ``time.monotonic()`` readings: CLOCK_MONOTONIC is one clock for all processes of the machine, so the
target's arrival times compare with the benchmark's own start and window marks."""

from __future__ import annotations

import http.client
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

Record = tuple[float, str]  # (arrival time, request path)


def fetch(port: int) -> list[Record]:
    """Everything the target on 127.0.0.1:port has recorded so far."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # no proxy, loopback only
    try:
        conn.request("GET", "/__records")
        body = conn.getresponse().read().decode()
    finally:
        conn.close()
    records: list[Record] = []
    for line in body.splitlines():
        t, _, path = line.partition(" ")
        records.append((float(t), path))
    return records


def first_of_all(records: list[Record], prefix: str, n: int, origin: float) -> float:
    """Seconds from origin until each of the n paths under prefix had been requested once (nan if not yet)."""
    first: dict[str, float] = {}
    for t, path in records:
        if path.startswith(prefix) and path not in first:
            first[path] = t
    return max(first.values()) - origin if len(first) >= n else math.nan


@dataclass(frozen=True)
class Window:
    requests: int
    spacing_ms: tuple[float, float, float]  # p1, p50, p99 of (gap between a resource's checks - interval)
    busiest_s: int  # requests in the busiest whole second
    mean_per_s: float

    @property
    def burst(self) -> float:
        return self.busiest_s / self.mean_per_s if self.mean_per_s else math.nan

    def describe(self) -> str:
        p1, p50, p99 = self.spacing_ms
        return (
            f"spacing - interval p1/p50/p99 {p1:+.1f} / {p50:+.1f} / {p99:+.1f} ms; "
            f"busiest second {self.busiest_s} requests = {self.burst:.2f}x the mean {self.mean_per_s:.1f}/s"
        )


def window(records: list[Record], prefix: str, interval: float, start: float, end: float) -> Window:
    """Figures over the requests under prefix that arrived in [start, end)."""
    seconds = max(1, int(end - start))
    per_second = [0] * seconds
    by_path: dict[str, list[float]] = defaultdict(list)
    count = 0
    for t, path in records:
        if start <= t < end and path.startswith(prefix):
            count += 1
            per_second[min(seconds - 1, int(t - start))] += 1
            by_path[path].append(t)
    gaps = [(b - a - interval) * 1000 for times in by_path.values() for a, b in itertools.pairwise(times)]
    spacing = (percentile(gaps, 0.01), percentile(gaps, 0.5), percentile(gaps, 0.99))
    return Window(count, spacing, max(per_second), count / max(end - start, 1e-9))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
