"""Bucket arithmetic shared by the writer (recorder) and the readers (uptime, timeline)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from kairos.probes.base import ProbeResult, Status

FIFTEEN_MIN = 15 * 60
ONE_DAY = 24 * 3600
K = TypeVar("K")


def bucket_of(ts: float, size: int) -> int:
    return int(ts // size) * size


@dataclass(slots=True)
class RollupDelta:
    """What one batch adds to one (resource, bucket) row."""

    available: int = 0
    not_available: int = 0
    unknown: int = 0
    latency_count: int = 0
    latency_sum: float = 0.0
    latency_min: float | None = None
    latency_max: float | None = None
    phase_counts: dict[str, int] = field(default_factory=lambda: {"dns": 0, "connect": 0, "tls": 0})
    phase_sums: dict[str, float] = field(default_factory=lambda: {"dns": 0.0, "connect": 0.0, "tls": 0.0})

    def add(self, result: ProbeResult) -> None:
        if result.status is Status.AVAILABLE:
            self.available += 1
        elif result.status is Status.NOT_AVAILABLE:
            self.not_available += 1
        else:
            self.unknown += 1
            return  # a Kairos failure (or a maintenance window) says nothing about the target's latency
        p = result.phases
        if p.total_ms is not None:
            self.latency_count += 1
            self.latency_sum += p.total_ms
            self.latency_min = p.total_ms if self.latency_min is None else min(self.latency_min, p.total_ms)
            self.latency_max = p.total_ms if self.latency_max is None else max(self.latency_max, p.total_ms)
        for name, value in (("dns", p.dns_ms), ("connect", p.connect_ms), ("tls", p.tls_ms)):
            if value is not None:
                self.phase_counts[name] += 1
                self.phase_sums[name] += value

    def merge(self, other: RollupDelta) -> None:
        """Add another delta (a closed 15-minute block into its day)."""
        self.available += other.available
        self.not_available += other.not_available
        self.unknown += other.unknown
        self.latency_count += other.latency_count
        self.latency_sum += other.latency_sum
        for mine, theirs, pick in (
            ("latency_min", other.latency_min, min),
            ("latency_max", other.latency_max, max),
        ):
            current = getattr(self, mine)
            if theirs is not None:
                setattr(self, mine, theirs if current is None else pick(current, theirs))
        for name in ("dns", "connect", "tls"):
            self.phase_counts[name] += other.phase_counts[name]
            self.phase_sums[name] += other.phase_sums[name]

    def as_row(self, resource_id: int, bucket: int) -> dict[str, object]:
        return {
            "resource_id": resource_id,
            "bucket": bucket,
            "available": self.available,
            "not_available": self.not_available,
            "unknown": self.unknown,
            "latency_count": self.latency_count,
            "latency_sum": self.latency_sum,
            "latency_min": self.latency_min,
            "latency_max": self.latency_max,
            "dns_count": self.phase_counts["dns"],
            "dns_sum": self.phase_sums["dns"],
            "connect_count": self.phase_counts["connect"],
            "connect_sum": self.phase_sums["connect"],
            "tls_count": self.phase_counts["tls"],
            "tls_sum": self.phase_sums["tls"],
        }


def deltas_for(items: list[tuple[int, ProbeResult]], size: int) -> dict[tuple[int, int], RollupDelta]:
    out: dict[tuple[int, int], RollupDelta] = {}
    for resource_id, result in items:
        key = (resource_id, bucket_of(result.checked_at.timestamp(), size))
        delta = out.get(key)
        if delta is None:
            delta = out[key] = RollupDelta()
        delta.add(result)
    return out


def delta_in(deltas: dict[K, RollupDelta], key: K) -> RollupDelta:
    """``deltas[key]``, made when missing (not built for every call, as ``setdefault`` would)."""
    d = deltas.get(key)
    if d is None:
        d = deltas[key] = RollupDelta()
    return d
