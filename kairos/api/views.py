"""Database rows and scheduler state turned into API bodies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from kairos.access.visibility import ADMIN, caller_level, level_sees
from kairos.api.deps import Caller
from kairos.api.redaction import public_message
from kairos.api.schemas.certificates import certificate_info
from kairos.api.schemas.groups import GroupPublic
from kairos.api.schemas.history import HistoryItem, OutagePublic
from kairos.api.schemas.resources import (
    CheckNowResult,
    LocationStatus,
    ResourceCreate,
    ResourceDetail,
    ResourcePublic,
)
from kairos.api.schemas.status import LatencySample
from kairos.api.schemas.tags import TagPublic
from kairos.db.models import Outage, Resource, ResourceGroup
from kairos.history.codec import StoredResult
from kairos.probes.base import ProbeResult, Status
from kairos.probes.certs import certificate_of
from kairos.probes.kinds import parse_config
from kairos.rollups import latency
from kairos.scheduler.board import LocationView, RuntimeState
from kairos.secrets_mask import mask_headers


def public_options(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """The stored options with the kind's defaults filled in (the stored form keeps only what was set)."""
    try:
        return parse_config(kind, config or {}).model_dump(mode="json", by_alias=True)
    except (ValueError, ValidationError):
        return dict(config or {})


def group_public(group: ResourceGroup) -> GroupPublic:
    return GroupPublic(id=group.id, name=group.name, display_order=group.display_order, visibility=group.visibility)


@dataclass(frozen=True, slots=True)
class Audience:
    """What a caller may read of a resource: nobody gets header values (write-only secrets, shown as the mask
    of kairos/secrets_mask.py), anonymous callers no target at all when the site hides targets; a resource's
    ``groups`` list only the groups the caller may see (``level``, kairos.access.visibility), so a resource
    shown through a PUBLIC group never names the HIDDEN group it is also in."""

    signed_in: bool = True
    targets: bool = True
    level: int = ADMIN


FULL = Audience()


def audience_of(caller: Caller, show_targets: bool) -> Audience:
    level = caller_level(caller)
    if not caller.authenticated:
        return Audience(signed_in=False, targets=show_targets, level=level)
    return FULL if level == ADMIN else Audience(level=level)


def _shown_options(row: Resource, audience: Audience) -> dict[str, Any]:
    if not audience.targets:
        return {}
    options = public_options(row.kind, row.config)
    if isinstance(options.get("headers"), dict):
        options["headers"] = mask_headers(options["headers"])
    return options


def _resource_fields(row: Resource, audience: Audience) -> dict[str, Any]:
    shown = (m.group for m in row.memberships if level_sees(audience.level, m.group.visibility))
    groups = sorted(shown, key=lambda g: (g.display_order, g.id))
    return {
        "id": row.id,
        "name": row.name,
        "resource_type": row.kind,
        "target": row.target if audience.targets else None,
        "skip_tls": row.skip_tls,
        "recursive": row.recursive,
        "active": row.enabled,
        "groups": [group_public(g) for g in groups],
        "display_order": row.display_order,
        "created_at": row.created_at,
        "interval_seconds": row.interval_s,
        "timeout_seconds": row.timeout_s,
        "options": _shown_options(row, audience),
        "credential_id": row.credential_id,
        "locations": list(row.locations) if row.locations else None,
        "quorum": row.quorum,
        "proxy": (row.proxy or "default") if audience.targets else None,
        "outage_threshold": row.outage_threshold,
        "recovery_threshold": row.recovery_threshold,
        "upside_down": bool(row.upside_down),
        "tags": [TagPublic(key=t.key, value=t.value, colour=t.colour) for t in row.tags],
    }


def resource_public(row: Resource, audience: Audience = FULL) -> ResourcePublic:
    return ResourcePublic(**_resource_fields(row, audience))


def current_status(state: RuntimeState | None) -> str:
    return state.status.api_name if state else Status.UNKNOWN.api_name


def _shown_message(state: RuntimeState, audience: Audience) -> str:
    if audience.targets:
        return state.last_message
    return public_message(state.status.value, state.last_error_code, state.last_http_status)


def location_statuses(locations: Mapping[str, LocationView], audience: Audience = FULL) -> list[LocationStatus]:
    """Each location's latest result, by name; messages redacted as the verdict's are for the audience."""
    return [
        LocationStatus(
            location=name,
            status=v.status.value,
            last_checked_at=v.last_checked_at,
            latency_ms=v.latency_ms,
            message=v.message if audience.targets else public_message(v.status.value, v.error_code, v.http_status),
            error_code=v.error_code,
        )
        for name, v in sorted(locations.items())
    ]


def resource_detail(
    row: Resource,
    state: RuntimeState | None,
    audience: Audience = FULL,
    locations: Mapping[str, LocationView] | None = None,
) -> ResourceDetail:
    checked = state is not None and state.last_checked_at is not None
    return ResourceDetail(
        **_resource_fields(row, audience),
        current_status=current_status(state),
        latest_check_status=state.status.value if checked and state else None,
        latest_checked_at=state.last_checked_at if state else None,
        latest_message=_shown_message(state, audience) if checked and state else None,
        latest_error_code=state.last_error_code if state else None,
        latest_latency_ms=state.last_latency_ms if state else None,
        latest_http_status=state.last_http_status if state else None,
        active_outage_since=state.outage_since if state else None,
        location_status=location_statuses(locations or {}, audience),
        certificate=certificate_info(certificate_of(state.last_details)) if state and audience.targets else None,
    )


def check_now_result(resource_id: int, result: ProbeResult) -> CheckNowResult:
    p = result.phases
    return CheckNowResult(
        resource_id=resource_id,
        status=result.status.value,
        current_status=result.status.api_name,
        message=result.message,
        error_code=result.error_code,
        http_status=result.http_status,
        latency_ms=p.total_ms,
        dns_resolution_ms=p.dns_ms,
        connect_ms=p.connect_ms,
        tls_handshake_ms=p.tls_ms,
        time_to_first_byte_ms=p.ttfb_ms,
        proxy_ms=p.proxy_ms,
        checked_at=result.checked_at,
        details=result.details or {},
    )


def history_item(row: StoredResult) -> HistoryItem:
    return HistoryItem(
        id=row.id,
        resource_id=row.resource_id,
        status=row.status,
        checked_at=row.checked_at,
        message=row.message,
        error_code=row.error_code,
        http_status=row.http_status,
        latency_ms=row.latency_ms,
        dns_resolution_ms=row.dns_ms,
        connect_ms=row.connect_ms,
        tls_handshake_ms=row.tls_ms,
        time_to_first_byte_ms=row.ttfb_ms,
        proxy_ms=row.proxy_ms,
        details=row.details,
        location=row.location,
    )


def outage_public(row: Outage, name: str, kind: str, now: datetime | None = None) -> OutagePublic:
    end = row.ended_at or now or datetime.now(UTC)
    minutes = max(0, int((end - row.started_at).total_seconds() // 60))
    return OutagePublic(
        id=row.id,
        resource_id=row.resource_id,
        resource_name=name,
        resource_type=kind,
        start_date=row.started_at,
        end_date=row.ended_at,
        active=row.ended_at is None,
        duration_minutes=minutes,
        error_code=row.error_code,
        message=row.message,
    )


def latency_public(samples: list[latency.LatencySample]) -> list[LatencySample]:
    """The API's (and the MCP tools') shape of averaged latency slots."""
    return [
        LatencySample(
            timestamp=datetime.fromtimestamp(s.start, UTC),
            latency_ms=s.latency_ms,
            dns_resolution_ms=s.dns_ms,
            connect_ms=s.connect_ms,
            tls_handshake_ms=s.tls_ms,
        )
        for s in samples
    ]


def clone_body(row: Resource, name: str, active: bool) -> ResourceCreate:
    """The create body of a copy of ``row``: every field a create takes, from the stored row, with the stored
    options themselves (header values included: the copy checks exactly as the source does)."""
    fields = {k: v for k, v in _resource_fields(row, FULL).items() if k in ResourceCreate.model_fields}
    fields.update(
        name=name,
        active=active,
        options=dict(row.config),
        group_ids=[m.group_id for m in row.memberships],
    )
    return ResourceCreate.model_validate(fields)
