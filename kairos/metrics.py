"""Prometheus metrics: counters fed by the scheduler, gauges read from the live board (current state).

The counters live in a prometheus_client registry; the series that follow resources are written by
kairos/metrics_render.py, which stays fast at 100,000 resources. A scrape renders in chunks, yielding to the event
loop between them, one rendering at a time; identical scrapes arriving meanwhile share it."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kairos.metrics_facts import ResourceFacts
from kairos.metrics_options import Cardinality, Scrape
from kairos.metrics_render import LabelCache, Labelled, StateText, View
from kairos.metrics_tags import TagLabels, parse_keys
from kairos.probes.base import ProbeResult, Status

if TYPE_CHECKING:
    from kairos.scheduler.board import LiveBoard
    from kairos.settings import Settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LABELS = ["resource_id", "resource_name", "resource_type"]
CHUNK = 2_000  # resources rendered between two yields to the event loop (a few milliseconds of work)
GZIP_LEVEL = 3  # the text repeats itself: level 3 is nearly as small as 9, several times faster


@dataclass(slots=True)
class _Source:
    board: LiveBoard
    resources: Callable[[], Mapping[int, Labelled]]
    pending: Callable[[], int]


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
        self._series: dict[str, _KindSeries] = {}
        self.tag_labels = TagLabels()  # KAIROS_METRICS_TAG_LABELS (configure)
        self.facts = ResourceFacts()  # groups, and what KAIROS_METRICS_GROUPS / _TAGS select (configure)
        self._source: _Source | None = None
        self._configured = False
        self._labels = LabelCache()
        self._rendering = asyncio.Lock()  # one rendering at a time: a flood of scrapes costs one at a time
        self._inflight: dict[tuple[object, ...], asyncio.Task[bytes]] = {}

    def bind_board(
        self, board: LiveBoard, resources: Callable[[], Mapping[int, Labelled]], pending: Callable[[], int]
    ) -> None:
        """Gauges of current state read from ``board``; names and kinds from ``resources``; the recorder's backlog."""
        if self._source is None:
            self._source = _Source(board, resources, pending)

    def configure(self, settings: Settings) -> None:
        """The operator's choices (``KAIROS_METRICS_*``), read once, on the first scrape."""
        if self._configured:
            return
        if settings.metrics_tag_labels:  # opt-in (docs/tags.md)
            self.tag_labels.configure(parse_keys(settings.metrics_tag_labels))
        self.facts.configure(Cardinality.of(settings))
        self._configured = True

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
        """Everything at once, without the event loop (a worker's listener, which has no board)."""
        text = b""
        if self._source is not None:
            state = self._state(self._source, Scrape(), None)
            resources = self._source.resources()
            state.add(list(resources), resources)
            text = b"".join(state.finish(self._source.pending()))
        return generate_latest(self.registry) + text

    async def scrape(self, scrape: Scrape, sessionmaker: async_sessionmaker[AsyncSession]) -> bytes:
        """The text for one scrape (gzipped when asked); ``Invalid`` for a ``?group=`` that does not exist."""
        await self.tag_labels.refresh(sessionmaker)
        await self.facts.refresh(sessionmaker)
        members = self.facts.members_of(scrape.groups) if scrape.groups else None
        task = self._inflight.get(scrape.key)
        if task is None:
            task = asyncio.create_task(self._render(scrape, members))
            self._inflight[scrape.key] = task
            task.add_done_callback(partial(self._forget, scrape.key))
        # Shielded: a scraper that hangs up cancels its wait, not the rendering others share.
        return await asyncio.shield(task)

    def _forget(self, key: tuple[object, ...], task: asyncio.Task[bytes]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]

    async def _render(self, scrape: Scrape, members: frozenset[int] | None) -> bytes:
        async with self._rendering:
            registry = self.registry if scrape.names is None else self.registry.restricted_registry(scrape.names)
            body = generate_latest(registry)
            if self._source is not None:
                resources = self._source.resources()
                ids = list(resources)
                state = self._state(self._source, scrape, members)
                for start in range(0, len(ids), CHUNK):
                    state.add(ids[start : start + CHUNK], resources)
                    await asyncio.sleep(0)  # the loop serves others between chunks
                parts = [body]
                for part in state.finish(self._source.pending()):
                    parts.append(part)
                    await asyncio.sleep(0)
                body = b"".join(parts)
                self._labels.prune(resources)
            if scrape.gzip:  # zlib lets go of the GIL: compressed beside the loop
                body = await asyncio.to_thread(gzip.compress, body, GZIP_LEVEL, mtime=0)
            return body

    def _state(self, source: _Source, scrape: Scrape, members: frozenset[int] | None) -> StateText:
        facts = self.facts
        allowed = facts.selected
        if members is not None:
            allowed = members if allowed is None else allowed & members
        groups = scrape.groups if scrape.groups is not None else facts.members.keys()
        view = View(facts.cardinality, allowed, groups, facts.groups_of, scrape.names)
        return StateText(source.board, self._labels, self.tag_labels, view, datetime.now(UTC))
