"""Prometheus metrics: counters fed by the scheduler, gauges read from the live board (current state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from kairos.metrics_tags import TagLabels
from kairos.probes.base import ProbeResult, Status
from kairos.probes.certs import certificate_of, seconds_left

if TYPE_CHECKING:
    from kairos.scheduler.board import LiveBoard

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LABELS = ["resource_id", "resource_name", "resource_type"]
LOCATION_LABELS = [*LABELS, "location"]
_LABELS = LABELS


class Labelled(Protocol):
    """What a series needs to know of a resource besides its id."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


class _StateCollector(Collector):
    """Series that follow resources: present as soon as one is created, gone when it is deleted."""

    def __init__(
        self,
        board: LiveBoard,
        resources: Callable[[], Mapping[int, Labelled]],
        pending: Callable[[], int],
        tags: TagLabels,
    ) -> None:
        self._board = board
        self._resources = resources
        self._pending = pending
        self._tags = tags  # opt-in tag labels (kairos/metrics_tags.py)

    def collect(self) -> Iterator[Metric]:
        states = self._board.states
        resources = self._resources()
        # Names fixed for this scrape: the tag labels (if any) follow the resource's, before "location".
        LABELS = [*_LABELS, *self._tags.names]
        LOCATION_LABELS = [*LABELS, "location"]
        status = GaugeMetricFamily(
            "kairos_resource_status",
            "1 available, 0 not available, -1 unknown or not checked yet, 2 maintenance",
            labels=LABELS,
        )
        latency = GaugeMetricFamily("kairos_resource_latency_milliseconds", "Latency of the last check", labels=LABELS)
        outage = GaugeMetricFamily(
            "kairos_resource_outage_active", "1 while the resource is in an outage", labels=LABELS
        )
        # The fleet's votes: each location's latest result (a single process has none, so no series).
        at_status = GaugeMetricFamily(
            "kairos_resource_location_status",
            "Latest result seen from one location: 1 available, 0 not available, -1 unknown",
            labels=LOCATION_LABELS,
        )
        at_latency = GaugeMetricFamily(
            "kairos_resource_location_latency_seconds",
            "Latency of the latest check from one location",
            labels=LOCATION_LABELS,
        )
        cert_expiry = GaugeMetricFamily(
            "kairos_tls_cert_expiry_seconds",
            "Seconds until the TLS certificate seen by the last check expires (negative: expired)",
            labels=LABELS,
        )
        now = datetime.now(UTC)
        active = 0
        for rid, res in list(resources.items()):
            state = states.get(rid)
            labels = [str(rid), res.name, res.kind, *self._tags.values_of(rid)]
            status.add_metric(labels, state.status.gauge if state else -1)
            if state and state.last_latency_ms is not None:
                latency.add_metric(labels, state.last_latency_ms)
            in_outage = bool(state and state.outage_since)
            outage.add_metric(labels, 1 if in_outage else 0)
            cert = certificate_of(state.last_details) if state else None
            left = seconds_left(cert, now) if cert is not None else None
            if left is not None:
                cert_expiry.add_metric(labels, round(left))
            active += in_outage
            for name, view in self._board.locations_of(rid).items():
                at_status.add_metric([*labels, name], view.status.gauge)
                if view.latency_ms is not None:
                    at_latency.add_metric([*labels, name], view.latency_ms / 1000.0)
        yield status
        yield latency
        yield outage
        yield at_status
        yield at_latency
        yield cert_expiry
        yield GaugeMetricFamily("kairos_active_outages", "Resources currently in an outage", value=active)
        yield GaugeMetricFamily(
            "kairos_recorder_pending_results", "Results waiting to be written", value=self._pending()
        )
        yield GaugeMetricFamily("kairos_resources", "Resources known to the scheduler", value=len(resources))


_PHASES = ("dns", "proxy", "connect", "tls", "first_byte")  # proxy: only through one (docs/proxy.md)


@dataclass(slots=True)
class _KindSeries:
    """The labelled children of one resource type, remembered as they first appear (a series exists once it was
    observed, as before): ``labels()`` costs more than the ``inc()`` it serves."""

    duration: Histogram | None = None
    checks: dict[Status, Counter] = field(default_factory=dict)
    errors: dict[str, Counter] = field(default_factory=dict)  # by error code
    phases: dict[str, Histogram] = field(default_factory=dict)


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
            "Time spent in each phase of a check (dns, proxy, connect, tls, first_byte)",
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
        self._series: dict[str, _KindSeries] = {}
        self.tag_labels = TagLabels()  # KAIROS_METRICS_TAG_LABELS, set by the metrics route (actuator.py)

    def bind_board(
        self, board: LiveBoard, resources: Callable[[], Mapping[int, Labelled]], pending: Callable[[], int]
    ) -> None:
        """Gauges of current state read from ``board``; names and kinds from ``resources``; the recorder's backlog."""
        if not self._bound:
            self.registry.register(_StateCollector(board, resources, pending, self.tag_labels))
            self._bound = True

    def observe_check(self, kind: str, result: ProbeResult) -> None:
        series = self._series.get(kind)
        if series is None:
            series = self._series[kind] = _KindSeries()
        status = result.status
        checks = series.checks.get(status) or series.checks.setdefault(status, self.checks.labels(kind, status.value))
        checks.inc()
        p = result.phases
        if p.total_ms is not None:
            if series.duration is None:
                series.duration = self.duration.labels(kind)
            series.duration.observe(p.total_ms / 1000.0)
        code = result.error_code
        if code is not None:
            errors = series.errors.get(code) or series.errors.setdefault(code, self.errors.labels(kind, code))
            errors.inc()
        for phase, ms in zip(_PHASES, (p.dns_ms, p.proxy_ms, p.connect_ms, p.tls_ms, p.ttfb_ms), strict=True):
            if ms is not None:
                child = series.phases.get(phase) or series.phases.setdefault(phase, self.phases.labels(kind, phase))
                child.observe(ms / 1000.0)

    def count_digest_change(self, resource_name: str) -> None:
        """A kind's after-result hook saw an image tag move (kairos.probes.image)."""
        self.digest_changes.labels(resource_name).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
