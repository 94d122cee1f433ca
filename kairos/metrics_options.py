"""What ``/actuator/prometheus`` shows: the operator's cardinality settings, and what one scrape narrows it to.

Per-resource series are what grows with an install (about three per resource, more in a fleet), so the operator
chooses: every resource (``all``), only counts per group and in total (``groups``), or totals only (``none``);
with or without the latency series; and, with filters, per-resource series only for the resources that matter
(in one of these groups, carrying one of these tags). A scrape may narrow further with ``?group=`` (several
Prometheus jobs, one per group) and ``?name[]=`` (only these series), never widen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kairos.errors import Invalid

if TYPE_CHECKING:
    from kairos.settings import Settings

MAX_VALUES = 50  # a scrape's ?group= / ?name[]= values: a scrape config names a few, never thousands
MAX_VALUE_LEN = 200  # a group's name is at most 200 characters


def split_names(value: str) -> frozenset[str]:
    """``"shop, api"`` → {"shop", "api"}: comma-separated, trimmed, empty parts left out."""
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def parse_tag_filters(value: str) -> tuple[tuple[str, str], ...]:
    """``"env:prod, team:payments"`` → ((env, prod), (team, payments)); ValueError naming the bad filter."""
    if not value.strip():
        return ()  # the default: settings validate it at every start, `kairos check` too, so import nothing
    from kairos.services.tags import parse_filter  # the rule of every tag filter (api schemas: loaded late)

    out: list[tuple[str, str]] = []
    for part in value.split(","):
        if not part.strip():
            continue
        try:
            pair = parse_filter(part.strip())
        except Invalid as exc:
            raise ValueError(exc.message) from None
        if pair not in out:
            out.append(pair)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Cardinality:
    """The operator's settings (``KAIROS_METRICS_*``)."""

    resource_series: str = "all"  # "all" | "groups" | "none"
    latency: bool = True
    groups: frozenset[str] = frozenset()  # only members of one of these get per-resource series (empty: all)
    tags: tuple[tuple[str, str], ...] = ()  # only resources carrying one of these (empty: all)

    @property
    def per_resource(self) -> bool:
        return self.resource_series == "all"

    @property
    def per_group(self) -> bool:
        return self.resource_series != "none"

    @classmethod
    def of(cls, settings: Settings) -> Cardinality:
        return cls(
            settings.metrics_resource_series,
            settings.metrics_latency,
            split_names(settings.metrics_groups),
            parse_tag_filters(settings.metrics_tags),
        )


@dataclass(frozen=True, slots=True)
class Scrape:
    """One scrape's narrowing: only these groups (their members' series and their counts), only these series
    (sample names, as prometheus_client's ``name[]``); and whether the answer is gzipped."""

    groups: frozenset[str] | None = None
    names: frozenset[str] | None = None
    gzip: bool = False

    @property
    def key(self) -> tuple[object, ...]:
        """Identical scrapes share one rendering (kairos.metrics.Metrics.scrape)."""
        return (self.groups, self.names, self.gzip)


def scrape_of(groups: Sequence[str], names: Sequence[str], accept_encoding: str) -> Scrape:
    """A scrape from its query parameters; ``Invalid`` naming the parameter when there are too many or too long."""
    return Scrape(_values(groups, "group"), _values(names, "name[]"), accepts_gzip(accept_encoding))


def _values(values: Sequence[str], field: str) -> frozenset[str] | None:
    if not values:
        return None
    if len(values) > MAX_VALUES:
        raise Invalid(f"at most {MAX_VALUES} values of {field}", field=field)
    if any(len(v) > MAX_VALUE_LEN or not v.strip() for v in values):
        raise Invalid(f"each {field} is 1 to {MAX_VALUE_LEN} characters", field=field)
    return frozenset(values)


def accepts_gzip(header: str) -> bool:
    """Whether an ``Accept-Encoding`` header takes gzip (Prometheus sends ``gzip``); ``gzip;q=0`` refuses it."""
    for part in header.lower().split(","):
        coding, _, params = part.partition(";")
        if coding.strip() not in ("gzip", "x-gzip"):
            continue
        q = params.strip()
        if not q.startswith("q="):
            return True
        try:
            return float(q[2:]) > 0
        except ValueError:
            return False
    return False
