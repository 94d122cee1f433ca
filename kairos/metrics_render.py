"""The series that follow resources, written straight as Prometheus text from the live board.

prometheus_client builds a sample object per series and formats, sorts and escapes its labels on every scrape:
at 100,000 resources that alone takes seconds. Here a resource's label text is made once and kept while its
name, type and tag values stay the same (``LabelCache``); a scrape appends ready pieces per series, counts the
aggregates on the way, and the caller joins everything once. The text is what prometheus_client writes
(labels sorted by name, values as Go formats floats), so nothing changes for a scraper."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from prometheus_client.utils import floatToGoString

from kairos.metrics_options import Cardinality
from kairos.metrics_tags import TagLabels
from kairos.probes.base import Status
from kairos.probes.certs import certificate_of, seconds_left

if TYPE_CHECKING:
    from kairos.scheduler.board import LiveBoard
    from kairos.scheduler.state import RuntimeState


class Labelled(Protocol):
    """What a series needs to know of a resource besides its id."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    help: str

    @property
    def header(self) -> str:
        return f"# HELP {self.name} {self.help}\n# TYPE {self.name} gauge\n"


STATUS = Family("kairos_resource_status", "1 available, 0 not available, -1 unknown or not checked yet, 2 maintenance")
LATENCY = Family("kairos_resource_latency_milliseconds", "Latency of the last check")
OUTAGE = Family("kairos_resource_outage_active", "1 while the resource is in an outage")
# The fleet's votes: each location's latest result (a single process has none, so no series).
AT_STATUS = Family(
    "kairos_resource_location_status", "Latest result seen from one location: 1 available, 0 not available, -1 unknown"
)
AT_LATENCY = Family("kairos_resource_location_latency_seconds", "Latency of the latest check from one location")
CERT = Family(
    "kairos_tls_cert_expiry_seconds",
    "Seconds until the TLS certificate seen by the last check expires (negative: expired)",
)
ACTIVE = Family("kairos_active_outages", "Resources currently in an outage")
PENDING = Family("kairos_recorder_pending_results", "Results waiting to be written")
RESOURCES = Family("kairos_resources", "Resources known to the scheduler")
BY_STATUS = Family("kairos_resources_by_status", "Resources by their current status")
GROUP = Family("kairos_group_resources", "Resources of a group by their current status (a resource counts in each)")
GROUP_OUTAGES = Family("kairos_group_active_outages", "Resources of a group currently in an outage")
PER_RESOURCE = (STATUS, LATENCY, OUTAGE, AT_STATUS, AT_LATENCY, CERT)


def number(value: float) -> str:
    """A sample's value as prometheus_client writes it (Go's float format: ``1.0``, ``0.012``, ``1.5e+07``)."""
    v = float(value)
    if -1e300 < v < 1e6:  # where Go and Python agree (not NaN, not infinite, no exponent for Go): the fast way
        return repr(v)
    text: str = floatToGoString(v)  # type: ignore[no-untyped-call]
    return text


_STATUSES = tuple(Status)
# By the member's id: an Enum's hash is a Python call, and this lookup runs for every resource of a scrape.
_INDEX = {id(s): i for i, s in enumerate(_STATUSES)}
_VALUES = tuple(number(s.gauge) for s in _STATUSES)
_ZERO_ONE = (number(0), number(1))
_STATUS_LABELS = {s: '{status="' + s.value + '"} ' for s in _STATUSES}


def escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def label_text(pairs: Iterable[tuple[str, str]]) -> str:
    """``{a="1",b="x"} `` with the names sorted, as prometheus_client writes them."""
    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in sorted(pairs)) + "} "


def count_line(family: Family, labels: str, value: float) -> str:
    return f"{family.name}{labels}{number(value)}\n"


# A resource's (name, type, TagLabels version, label text): a tuple of strings and an int, which the garbage
# collector stops tracking, so 100,000 of them cost it nothing on later collections.
_Entry = tuple[str, str, int, str]


class LabelCache:
    """Each resource's label text, remade only when its name, type or tag values changed."""

    def __init__(self) -> None:
        self._entries: dict[int, _Entry] = {}
        self._at: dict[tuple[int, str], tuple[_Entry, str]] = {}  # the fleet's (resource, location) texts

    def of(self, rid: int, res: Labelled, tags: TagLabels) -> str:
        e = self._entries.get(rid)
        if e is None or e[0] != res.name or e[1] != res.kind or e[2] != tags.version:
            if tags.names:
                text = label_text(self._pairs(rid, res, tags))
            else:  # the usual case, already in name order: no sort (the first scrape makes 100,000 of these)
                text = f'{{resource_id="{rid}",resource_name="{escape(res.name)}",resource_type="{escape(res.kind)}"}} '
            e = self._entries[rid] = (res.name, res.kind, tags.version, text)
        return e[3]

    def at(self, rid: int, res: Labelled, tags: TagLabels, location: str) -> str:
        """The label text with ``location`` (after ``of`` for the same resource in this scrape)."""
        e = self._entries[rid]
        found = self._at.get((rid, location))
        if found is None or found[0] is not e:
            found = self._at[(rid, location)] = (e, label_text((*self._pairs(rid, res, tags), ("location", location))))
        return found[1]

    @staticmethod
    def _pairs(rid: int, res: Labelled, tags: TagLabels) -> tuple[tuple[str, str], ...]:
        own = (("resource_id", str(rid)), ("resource_name", res.name), ("resource_type", res.kind))
        return (*own, *zip(tags.names, tags.values_of(rid), strict=True))

    def prune(self, live: Collection[int]) -> None:
        """Forget deleted resources once they are many (ids are checked on every read anyway)."""
        if len(self._entries) > 2 * len(live) + 1000:
            self._entries = {rid: e for rid, e in self._entries.items() if rid in live}
            self._at = {k: v for k, v in self._at.items() if k[0] in live}


@dataclass(frozen=True, slots=True)
class View:
    """What one scrape shows: the settings, the resources that get per-resource series (None: all), the groups
    counted, each resource's groups, the series wanted by name (None: all)."""

    cardinality: Cardinality
    allowed: frozenset[int] | None
    groups: Collection[str]
    groups_of: Mapping[int, tuple[str, ...]]
    names: frozenset[str] | None = None

    def wants(self, family: Family) -> bool:
        return self.names is None or family.name in self.names


class StateText:
    """One scrape's per-resource lines and aggregates; fed in chunks (``add``), then ``finish``ed."""

    def __init__(self, board: LiveBoard, cache: LabelCache, tags: TagLabels, view: View, now: datetime) -> None:
        self._board, self._cache, self._tags, self._view, self._now = board, cache, tags, view, now
        c = view.cardinality
        shown = [f for f in PER_RESOURCE if c.latency or f not in (LATENCY, AT_LATENCY)] if c.per_resource else []
        # One list per family shown (None: not shown), read by attribute: this runs 100,000 times a scrape.
        self._lines: dict[Family, list[str]] = {f: [] for f in shown if view.wants(f)}
        get = self._lines.get
        self._status, self._latency, self._outage = get(STATUS), get(LATENCY), get(OUTAGE)
        self._at_status, self._at_latency, self._cert = get(AT_STATUS), get(AT_LATENCY), get(CERT)
        self._totals = [0] * len(_STATUSES)
        self._outages = 0
        self._resources = 0
        # A group's name → its counts by status index, then its outages (every group: an empty one counts zeros).
        self._groups = {g: [0] * (len(_STATUSES) + 1) for g in view.groups} if c.per_group else None

    def add(self, chunk: Sequence[int], resources: Mapping[int, Labelled]) -> None:
        """Count and write ``chunk``'s resources (ids, not items: 100,000 tuples would only feed the collector)."""
        states = self._board.states
        groups_of = self._view.groups_of
        counts = self._groups
        allowed = self._view.allowed
        detail = bool(self._lines)
        totals = self._totals
        for rid in chunk:
            res = resources.get(rid)
            if res is None:  # deleted while an earlier chunk was written
                continue
            self._resources += 1
            state = states.get(rid)
            status = state.status if state is not None else Status.UNKNOWN
            down = state is not None and state.outage_since is not None
            i = _INDEX[id(status)]
            totals[i] += 1
            self._outages += down
            if counts is not None:
                for g in groups_of.get(rid, ()):
                    row = counts.get(g)
                    if row is not None:
                        row[i] += 1
                        row[-1] += down
            if detail and (allowed is None or rid in allowed):
                self._resource(rid, res, state, i, down)

    def _resource(self, rid: int, res: Labelled, state: RuntimeState | None, i: int, down: bool) -> None:
        text = self._cache.of(rid, res, self._tags)
        if self._status is not None:
            self._status.append(f"{STATUS.name}{text}{_VALUES[i]}\n")
        if self._outage is not None:
            self._outage.append(f"{OUTAGE.name}{text}{_ZERO_ONE[down]}\n")
        if (self._at_status is not None or self._at_latency is not None) and rid in self._board.located:
            self._locations(rid, res)
        last = state.last if state is not None else None
        if last is None:
            return
        ms = last.phases.total_ms
        if ms is not None and self._latency is not None:
            self._latency.append(f"{LATENCY.name}{text}{number(ms)}\n")
        if self._cert is not None and "certificate" in last.details:
            cert = certificate_of(last.details)
            left = seconds_left(cert, self._now) if cert is not None else None
            if left is not None:
                self._cert.append(f"{CERT.name}{text}{number(round(left))}\n")

    def _locations(self, rid: int, res: Labelled) -> None:
        at_status, at_latency = self._at_status, self._at_latency
        for name, view in self._board.located.get(rid, {}).items():
            text = self._cache.at(rid, res, self._tags, name)
            if at_status is not None:
                at_status.append(f"{AT_STATUS.name}{text}{_VALUES[_INDEX[id(view.status)]]}\n")
            if at_latency is not None and view.latency_ms is not None:
                at_latency.append(f"{AT_LATENCY.name}{text}{number(view.latency_ms / 1000.0)}\n")

    def finish(self, pending: int) -> Iterator[bytes]:
        """The text, a family at a time (each a few megabytes at 100,000 resources: the caller may yield between)."""
        for family, lines in self._lines.items():
            lines.insert(0, family.header)
            yield "".join(lines).encode()
            lines.clear()
        yield self._counts(pending).encode()

    def _counts(self, pending: int) -> str:
        out: list[str] = []
        for family, value in ((ACTIVE, self._outages), (PENDING, pending), (RESOURCES, self._resources)):
            if self._view.wants(family):
                out += (family.header, f"{family.name} {number(value)}\n")
        if self._view.wants(BY_STATUS):
            out.append(BY_STATUS.header)
            totals = zip(_STATUSES, self._totals, strict=True)
            out.extend(count_line(BY_STATUS, _STATUS_LABELS[s], n) for s, n in totals)
        if self._groups is not None:
            self._group_lines(out, self._groups)
        return "".join(out)

    def _group_lines(self, out: list[str], groups: dict[str, list[int]]) -> None:
        names = sorted(groups)
        if self._view.wants(GROUP):
            out.append(GROUP.header)
            for g in names:
                for s, n in zip(_STATUSES, groups[g], strict=False):
                    out.append(count_line(GROUP, label_text([("group", g), ("status", s.value)]), n))
        if self._view.wants(GROUP_OUTAGES):
            out.append(GROUP_OUTAGES.header)
            out.extend(count_line(GROUP_OUTAGES, label_text([("group", g)]), groups[g][-1]) for g in names)
