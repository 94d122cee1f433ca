"""Prometheus metrics: counters fed by the scheduler, gauges read from the live board (current state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kairos.probes.base import ProbeResult

if TYPE_CHECKING:
    from kairos.scheduler.board import LiveBoard

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LABELS = ["resource_id", "resource_name", "resource_type"]


class Labelled(Protocol):
    """What a series needs to know of a resource besides its id."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


class _StateCollector(Collector):
    """Series that follow resources: present as soon as one is created, gone when it is deleted."""

    def __init__(
        self, board: LiveBoard, resources: Callable[[], Mapping[int, Labelled]], pending: Callable[[], int]
    ) -> None:
        self._board = board
        self._resources = resources
        self._pending = pending

    def collect(self) -> Iterator[Metric]:
        states = self._board.states
        resources = self._resources()
        status = GaugeMetricFamily(
            "kairos_resource_status", "1 available, 0 not available, -1 unknown or not checked yet", labels=LABELS
        )
        latency = GaugeMetricFamily("kairos_resource_latency_milliseconds", "Latency of the last check", labels=LABELS)
        outage = GaugeMetricFamily(
            "kairos_resource_outage_active", "1 while the resource is in an outage", labels=LABELS
        )
        active = 0
        for rid, res in list(resources.items()):
            state = states.get(rid)
            labels = [str(rid), res.name, res.kind]
            status.add_metric(labels, state.status.gauge if state else -1)
            if state and state.last_latency_ms is not None:
                latency.add_metric(labels, state.last_latency_ms)
            in_outage = bool(state and state.outage_since)
            outage.add_metric(labels, 1 if in_outage else 0)
            active += in_outage
        yield status
        yield latency
        yield outage
        yield GaugeMetricFamily("kairos_active_outages", "Resources currently in an outage", value=active)
        yield GaugeMetricFamily(
            "kairos_recorder_pending_results", "Results waiting to be written", value=self._pending()
        )
        yield GaugeMetricFamily("kairos_resources", "Resources known to the scheduler", value=len(resources))


class Metrics:
    """One registry per application, so several apps in one process (tests) never mix series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.checks = Counter(
            "kairos_checks",
            "Checks run, by resource type and status",
            ["resource_type", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "kairos_check_duration_seconds",
            "Wall time of a check",
            ["resource_type"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry,
        )
        # Failures by their stable code (dns_failed, connect_refused, http_status, …): a bounded label set.
        self.errors = Counter(
            "kairos_check_errors",
            "Failed checks, by resource type and error code",
            ["resource_type", "error_code"],
            registry=self.registry,
        )
        self.phases = Histogram(
            "kairos_check_phase_seconds",
            "Time spent in each phase of a check (dns, connect, tls, first_byte)",
            ["resource_type", "phase"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.digest_changes = Counter(
            "kairos_image_digest_changes",
            "Tags seen pointing at a new digest",
            ["resource_name"],
            registry=self.registry,
        )
        self.housekeeping_deleted = Counter(
            "kairos_housekeeping_deleted",
            "Rows deleted by retention, by kind (check_result, outage)",
            ["kind"],
            registry=self.registry,
        )
        self.housekeeping_last_run = Gauge(
            "kairos_housekeeping_last_run_timestamp_seconds",
            "When the last housekeeping round finished (epoch seconds); 0 before the first",
            registry=self.registry,
        )
        self._bound = False

    def bind_board(
        self, board: LiveBoard, resources: Callable[[], Mapping[int, Labelled]], pending: Callable[[], int]
    ) -> None:
        """Gauges of current state read from ``board``; names and kinds from ``resources``; the recorder's backlog."""
        if not self._bound:
            self.registry.register(_StateCollector(board, resources, pending))
            self._bound = True

    def observe_check(self, kind: str, result: ProbeResult) -> None:
        self.checks.labels(kind, result.status.value).inc()
        p = result.phases
        if p.total_ms is not None:
            self.duration.labels(kind).observe(p.total_ms / 1000.0)
        if result.error_code is not None:
            self.errors.labels(kind, result.error_code).inc()
        for phase, ms in (("dns", p.dns_ms), ("connect", p.connect_ms), ("tls", p.tls_ms), ("first_byte", p.ttfb_ms)):
            if ms is not None:
                self.phases.labels(kind, phase).observe(ms / 1000.0)

    def count_digest_change(self, resource_name: str) -> None:
        """A kind's after-result hook saw an image tag move (kairos.probes.image)."""
        self.digest_changes.labels(resource_name).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
