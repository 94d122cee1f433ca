"""What a kind of check is, described once: :class:`KindSpec`.

Every consumer (API schemas and ``/api/resource-types``, the console forms, the instant check, the CLI,
config as code, redaction, the Java import, the scheduler and the metrics) reads a kind's spec instead of
testing its name, so a kind is its probe module plus one registration line (:mod:`kairos.probes.kinds`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from kairos.probes.base import ProbeConfig, ProbeContext, ProbeResult

ProbeFn = Callable[[Any, ProbeContext], Awaitable[ProbeResult]]
# "textarea": multi-line text as it is; "json": a JSON value edited as text (a request body, the assertions).
# "values": a list of strings, one per line (DNS expected values).
Widget = Literal["text", "number", "checkbox", "select", "codes", "lines", "textarea", "json", "values"]
# The phases a kind measures, as ``kairos check`` prints them (the names of ``Phases`` fields).
PhaseName = Literal["dns_ms", "connect_ms", "tls_ms", "ttfb_ms"]


@dataclass(frozen=True, slots=True)
class OptionField:
    """One option of a kind's config model as the console form shows it; the hint is the model's own
    description plus ``note``."""

    name: str
    label: str
    widget: Widget
    choices: tuple[tuple[str, str], ...] = ()
    note: str = ""


class ResourceMemory(Protocol):
    """What the scheduler keeps per resource between results that a hook may read and update."""

    image_digest: str | None


class HookMetrics(Protocol):
    """The counters a hook may bump (kairos.metrics.Metrics)."""

    def count_digest_change(self, resource_name: str) -> None: ...


@dataclass(slots=True)
class AfterResult:
    """What an after-result hook gets: one fresh result of one resource, before it is folded into streaks
    and recorded, so that the hook may add to its message and details."""

    resource_id: int
    resource_name: str
    state: ResourceMemory
    result: ProbeResult
    metrics: HookMetrics


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One kind of check. ``name`` is what the database, the API and config files store (at most 16
    characters, upper case)."""

    name: str
    label: str  # the console's choice ("TCP port")
    page_name: str  # the resource page's short name ("TCP")
    target_hint: str  # under the target field of the forms
    config_model: type[ProbeConfig]  # the options; also their API schema
    probe_fn: ProbeFn
    validate_target: Callable[[str], str]  # returns the normalised target or raises ValueError
    default_interval_s: int
    default_parallelism: int
    default_timeout_s: float
    default_outage_threshold: int = 3
    default_recovery_threshold: int = 2
    uses_tls: bool = True  # the skip-TLS switch means something for this kind
    watches_below: bool = False  # the "recursive" switch (watch every tag below the reference) applies
    tracks_digest: bool = False  # results carry a content digest: the resource page shows its facts and changes
    form_fields: tuple[OptionField, ...] = ()
    timed_phases: tuple[PhaseName, ...] = ("dns_ms", "connect_ms")
    trace_instant_checks: bool = False  # an instant check returns every request it made
    public_detail_keys: frozenset[str] = frozenset()  # result details that never name a host or path
    aliases: tuple[str, ...] = ()  # other spellings in Java Kairos exports (lower case)
    after_result: Callable[[AfterResult], None] | None = None
    report_steps: Callable[[dict[str, Any]], list[str]] | None = None  # timed steps of `kairos check`, before total
    report_lines: Callable[[dict[str, Any]], list[str]] | None = None  # extra lines of `kairos check`, after total
    # Fed by pings to a secret URL (kairos.services.push): a token is issued at creation, the target is an optional
    # note (nothing is contacted), and the forms show the URL instead of a target field.
    push_token: bool = False

    def option_hint(self, option: OptionField) -> str:
        model_field = self.config_model.model_fields.get(option.name)
        described = (model_field.description or "") if model_field else ""
        return " ".join(p for p in (described, option.note) if p)
