"""The console's resource form: what each kind's form shows, the typed values kept for re-display, and the
translation of a submitted form into the API's own body models.

Validation is the API's: the body is built as JSON would send it and checked by ``ResourceCreate`` /
``ResourceUpdate``, the options by the kind's config model and the target by the kind's rules. Every pydantic
error is mapped onto the form field it belongs to (``errors["options.maxRedirects"]``), not just the first."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from kairos.db.models import Resource
from kairos.errors import DomainError, Invalid
from kairos.fleet.quorum import POLICIES
from kairos.probes.kinds import all_specs, kind_names, spec_of
from kairos.probes.spec import KindSpec, OptionField, Widget
from kairos.secrets_mask import mask_headers
from kairos.services import resources as svc
from kairos.services.fields import field_path
from kairos.web.form_messages import human_message, model_named

M = TypeVar("M", bound=BaseModel)


def kind_labels() -> dict[str, str]:
    """Every registered kind and its label, in registration order (the kind choice of the forms)."""
    return {spec.name: spec.label for spec in all_specs()}


def target_hints() -> dict[str, str]:
    return {spec.name: spec.target_hint for spec in all_specs()}


def option_fields(kind: str) -> tuple[OptionField, ...]:
    """The kind's option fields as its form shows them (its spec's ``form_fields``)."""
    return spec_of(kind).form_fields


_CHECKBOXES = ("active", "skipTLS", "recursive", "upsideDown")
_TEXTS = (
    "name", "target", "intervalSeconds", "timeoutSeconds", "credentialId", "locations", "quorum", "proxy",
    "outageThreshold", "recoveryThreshold",
)  # fmt: skip
_POLICY_LABELS = {"any": "Any location", "majority": "A majority of its locations", "all": "All its locations"}
QUORUM_NUMBERS = range(2, 17)  # a resource names at most 16 locations; 1 is "any"


def quorum_choices(current: str, default: str | None = "The resource type's policy") -> list[tuple[str, str]]:
    """The quorum select's (value, label) pairs; ``default`` labels the empty choice (none when None). A stored
    number beyond the list (set through the API) is kept as a choice, so an edit does not change it silently."""
    choices = [("", default)] if default is not None else []
    choices += [(p, _POLICY_LABELS[p]) for p in POLICIES]
    numbers = [str(n) for n in QUORUM_NUMBERS]
    if current.isdigit() and current not in numbers:
        numbers.append(current)
    return choices + [(n, f"At least {n} locations") for n in numbers]


def locations_text(locations: list[str] | None) -> str:
    return ", ".join(locations or [])


def locations_of(text: str) -> list[str] | None:
    """Comma- or space-separated names as typed (the API's rules check them); empty means every location."""
    names = [n for n in re.split(r"[,\s]+", text) if n]
    return names or None


@dataclass(slots=True)
class FormValues:
    """What the form shows: strings and booleans exactly as typed, so a refused form comes back unchanged."""

    kind: str  # a registered kind
    name: str = ""
    target: str = ""
    intervalSeconds: str = ""  # the API field names: errors map onto the form
    timeoutSeconds: str = ""
    credentialId: str = ""
    locations: str = ""  # comma-separated; empty: every live location
    quorum: str = ""  # empty: the resource type's
    proxy: str = ""  # empty: the default proxy rules; "direct" or a named proxy (docs/proxy.md)
    outageThreshold: str = ""  # empty: the resource type's (docs/http-checks.md)
    recoveryThreshold: str = ""
    groupIds: list[str] = field(default_factory=list)
    active: bool = True
    skipTLS: bool = False
    recursive: bool = False
    upsideDown: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def parse_kind(raw: str | None) -> str:
    """The kind asked for, or the first registered one (HTTP) when it is not a kind."""
    names = kind_names()
    wanted = (raw or "").strip().upper()
    return wanted if wanted in names else names[0]


def _shown(value: Any, widget: Widget) -> Any:
    """An option value as its widget shows it."""
    if widget == "checkbox":
        return bool(value)
    if widget == "codes":
        return ", ".join(value or [])
    if widget == "lines":
        return "\n".join(f"{k}: {v}" for k, v in (value or {}).items())
    if widget == "values":
        return "\n".join(value or [])
    if widget == "json":
        return "" if value in (None, [], {}) else json.dumps(value, indent=2, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _option_values(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    try:
        full = spec_of(kind).config_model.model_validate(config).model_dump(mode="json")
    except ValidationError:
        full = dict(config)
    return {f.name: _shown(full.get(f.name), f.widget) for f in option_fields(kind)}


def blank_values(kind: str, name: str = "", target: str = "") -> FormValues:
    """A new resource's form; ``name`` and ``target`` may come prefilled (the instant check's "track")."""
    return FormValues(kind, name=name[:200], target=target[:2048], options=_option_values(kind, {}))


def _masked(config: dict[str, Any]) -> dict[str, Any]:
    """The stored options with header values replaced by the mask: the edit form never carries them, and
    the service puts the stored value back for a header submitted with the mask (kairos/secrets_mask.py)."""
    headers = config.get("headers")
    return {**config, "headers": mask_headers(headers)} if isinstance(headers, dict) else config


def values_from_row(row: Resource) -> FormValues:
    kind = parse_kind(row.kind)
    return FormValues(
        kind,
        name=row.name,
        target=row.target,
        intervalSeconds="" if row.interval_s is None else str(row.interval_s),
        timeoutSeconds="" if row.timeout_s is None else f"{row.timeout_s:g}",
        credentialId="" if row.credential_id is None else str(row.credential_id),
        locations=locations_text(row.locations),
        quorum=row.quorum or "",
        proxy=row.proxy or "",
        outageThreshold="" if row.outage_threshold is None else str(row.outage_threshold),
        recoveryThreshold="" if row.recovery_threshold is None else str(row.recovery_threshold),
        upsideDown=bool(row.upside_down),
        groupIds=[str(m.group_id) for m in row.memberships],
        active=row.enabled,
        skipTLS=row.skip_tls,
        recursive=row.recursive,
        options=_option_values(kind, _masked(row.config or {})),
    )


def _text(form: FormData, key: str, limit: int = 4096) -> str:
    value = form.get(key)
    return value[:limit] if isinstance(value, str) else ""


def read_options(form: FormData, kind: str) -> dict[str, Any]:
    """The kind's option fields of a submitted form (``options.<name>``), as typed."""
    out: dict[str, Any] = {}
    for f in option_fields(kind):
        key = f"options.{f.name}"
        out[f.name] = key in form if f.widget == "checkbox" else _text(form, key)
    return out


def read_form(form: FormData, kind: str) -> FormValues:
    values = FormValues(kind, options=read_options(form, kind))
    for key in _TEXTS:
        setattr(values, key, _text(form, key))
    for key in _CHECKBOXES:
        setattr(values, key, key in form)
    values.groupIds = [v for v in form.getlist("groupIds") if isinstance(v, str)][:100]
    return values


# -- form values -> API body -------------------------------------------------------------------------------


def errors_of(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """Every error of ``exc`` under the form field it belongs to (list positions dropped), the first per field."""
    out: dict[str, str] = {}
    model = model_named(exc.title)
    for err in exc.errors():
        path = field_path(err["loc"]) or ""
        key = re.sub(r"\[\d+\].*$", "", f"{prefix}{path}").rstrip(".") or "form"
        out.setdefault(key, human_message(err, path, model))
    return out


def error_field(exc: DomainError) -> tuple[str, str]:
    """A refusal of the resource or instant-check service as (form field, message without the field's name)."""
    key = re.sub(r"\[\d+\].*$", "", exc.field or "form")
    if key == "groupId":
        key = "groupIds"
    return key, exc.message.split(": ", 1)[-1] if exc.field else exc.message


def _headers(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise ValueError(f"'{line.strip()[:40]}' does not look like 'Name: value'")
        out[name.strip()] = value.strip()
    return out


def _json_option(raw: dict[str, Any], errors: dict[str, str], name: str, text: str) -> None:
    if not text.strip():
        return
    try:
        raw[name] = json.loads(text)
    except ValueError as exc:
        errors[f"options.{name}"] = f"not valid JSON: {exc}"


def options_body(kind: str, typed: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The options as the API takes them (only what differs from the defaults), or the errors per field."""
    raw: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for f in option_fields(kind):
        value = typed.get(f.name)
        if f.widget == "checkbox":
            raw[f.name] = bool(value)
        elif f.widget == "codes":
            codes = [c for c in re.split(r"[,\s]+", str(value or "")) if c]
            if codes:
                raw[f.name] = codes
        elif f.widget == "lines":
            try:
                raw[f.name] = _headers(str(value or ""))
            except ValueError as exc:
                errors[f"options.{f.name}"] = str(exc)
        elif f.widget == "values":
            if items := [line.strip() for line in str(value or "").splitlines() if line.strip()]:
                raw[f.name] = items
        elif f.widget == "json":
            _json_option(raw, errors, f.name, str(value or ""))
        elif f.widget == "textarea" and str(value or "").strip():
            raw[f.name] = str(value).replace("\r\n", "\n")
        elif str(value or "").strip():
            raw[f.name] = str(value).strip()
    try:
        config = spec_of(kind).config_model.model_validate(raw)
    except ValidationError as exc:
        errors = {**errors_of(exc, "options."), **errors}
    if errors:
        return {}, errors
    return config.model_dump(mode="json", exclude_defaults=True), {}


def _target_of(values: FormValues, spec: KindSpec) -> str:
    """A kind fed by pings contacts nothing: its target is an optional note, the name when left empty."""
    if spec.push_token and not values.target.strip():
        return values.name
    return values.target


def body_of(values: FormValues) -> tuple[dict[str, Any], dict[str, str]]:
    """The JSON body the API would receive for this form, and the errors found on the options."""
    options, errors = options_body(values.kind, values.options)
    spec = spec_of(values.kind)

    def blank_is_none(text: str) -> str | None:
        return text.strip() or None

    body: dict[str, Any] = {
        "name": values.name,
        "resourceType": values.kind,
        "target": _target_of(values, spec),
        "groupIds": values.groupIds,
        "active": values.active,
        "skipTLS": values.skipTLS and spec.uses_tls,
        "recursive": values.recursive and spec.watches_below,
        "intervalSeconds": blank_is_none(values.intervalSeconds),
        "timeoutSeconds": blank_is_none(values.timeoutSeconds),
        "credentialId": blank_is_none(values.credentialId),
        "locations": locations_of(values.locations),
        "quorum": blank_is_none(values.quorum),
        "proxy": blank_is_none(values.proxy),
        "outageThreshold": blank_is_none(values.outageThreshold),
        "recoveryThreshold": blank_is_none(values.recoveryThreshold),
        "upsideDown": values.upsideDown,
        "options": options,
    }
    return body, errors


def validate(values: FormValues, model: type[M]) -> tuple[M | None, dict[str, str]]:
    """``model`` (ResourceCreate or ResourceUpdate) built from the form, or every error by field."""
    body, errors = body_of(values)
    parsed: M | None = None
    try:
        parsed = model.model_validate(body)
    except ValidationError as exc:
        errors = {**errors_of(exc), **errors}
    if "target" not in errors and values.target.strip():
        try:
            svc.check_target(values.kind, values.target.strip())
        except Invalid as exc:
            errors["target"] = error_field(exc)[1]
    return (None, errors) if errors else (parsed, {})
