"""The channel builder's model: the services people use most, each a table of named fields and a pair of
functions that turn the fields into an Apprise URL and a stored URL back into the fields.

The console's channel form is generated from this table, so a service is added here and nowhere else. Every
built URL is checked by Apprise itself (the plugin the service names must accept it), and parsing back goes
through the plugin's own ``parse_url``, so what Kairos stores is exactly what Apprise sends with. A stored URL
no service recognises opens as the raw "Advanced: Apprise URL" (and a WEBHOOK channel as the webhook)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import apprise

from kairos.notify import channels
from kairos.notify.service_fields import Field, FieldProblem, Service, phrase
from kairos.notify.service_table import SERVICE_TABLE

__all__ = ["RAW", "SERVICES", "WEBHOOK", "Field", "FieldProblem", "Problems", "Service", "build", "recognise", "shown"]

RAW = "apprise"  # the service key of "Advanced: Apprise URL"
WEBHOOK = "webhook"


class Problems(Exception):
    """Form errors by field name; ``form`` for the whole service."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


SERVICES: dict[str, Service] = {s.key: s for s in SERVICE_TABLE}


def build(key: str, values: Mapping[str, str], kept: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The channel kind and URL for ``values`` of service ``key``; a secret left blank takes its ``kept``
    value (the stored channel's, when it is of the same service). Raises :class:`Problems`."""
    service = SERVICES.get(key)
    if service is None:
        raise Problems({"service": "Choose one of the listed services."})
    checked, errors = _checked(service, values, kept or {})
    if errors:
        raise Problems(errors)
    try:
        url = service.make(checked)
    except FieldProblem as exc:
        raise Problems({exc.field: exc.message}) from None
    if problem := _accepted(service, url):
        raise Problems({service.fields[0].name: problem})
    return service.kind, url


def _checked(
    service: Service, values: Mapping[str, str], kept: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    out: dict[str, str] = {}
    errors: dict[str, str] = {}
    reused: list[str] = []
    for f in service.fields:
        value = str(values.get(f.name, "")).strip()[: f.max_length]
        if not value and f.secret and kept.get(f.name):
            value = kept[f.name]
            reused.append(f.name)
        if problem := f.problem(value):
            errors[f.name] = problem
        out[f.name] = value or f.default
    moved = [f.label for f in service.fields if f.binds and out[f.name] != (kept.get(f.name) or f.default)]
    for name in reused if moved else ():
        label = next(f.label for f in service.fields if f.name == name)
        errors.setdefault(name, f"Enter the {phrase(label)} again: the {phrase(moved[0])} changed.")
    return out, errors


def _accepted(service: Service, url: str) -> str | None:
    """Why Apprise (or the webhook check) refuses ``url``, in words that never contain it."""
    problem = channels.validate(service.kind, url)
    if problem or not service.plugins:
        return problem
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None or type(plugin).__name__ not in service.plugins:
        return f"These values do not make a valid {service.label} address; check them."
    return None


def recognise(kind: str, url: str) -> tuple[str, dict[str, str]]:
    """The service and field values a stored channel URL shows as (secrets included: see :func:`shown`)."""
    if kind == channels.WEBHOOK:
        return WEBHOOK, {"url": url}
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return RAW, {"url": url}
    for service in SERVICES.values():
        if type(plugin).__name__ in service.plugins and service.read is not None:
            # A native https address (Slack's, Discord's) is not in the plugin's own scheme: parse_url refuses it.
            parsed: dict[str, Any] = {**(type(plugin).parse_url(url) or {}), "url": url}
            values = service.read(parsed)
            if _round_trips(service, url, values):
                return service.key, values
    return RAW, {"url": url}


def _round_trips(service: Service, url: str, values: dict[str, str]) -> bool:
    """Only a URL the fields rebuild to an equivalent address opens in the builder; extra options the
    fields cannot show (an Apprise query parameter set by hand) keep it in raw mode, so saving loses nothing."""
    try:
        rebuilt = build(service.key, values)[1]
    except Problems:
        return False
    a, b = apprise.Apprise.instantiate(url), apprise.Apprise.instantiate(rebuilt)
    return a is not None and b is not None and _canonical(a) == _canonical(b)


def _canonical(plugin: Any) -> str:
    return str(plugin.url(privacy=False))


def shown(key: str, values: Mapping[str, str]) -> dict[str, str]:
    """What the form may show of ``values``: never a secret."""
    service = SERVICES[key]
    return {f.name: ("" if f.secret else str(values.get(f.name, ""))) for f in service.fields}
