"""The database as a ``kairos/v1`` document: deterministic (sorted by name), secrets as placeholders only.

Secrets become ``${KAIROS_SECRET_CREDENTIAL_<NAME>}`` / ``..._DISCOVERY_<NAME>}`` (Kubernetes sources' tokens:
``..._DISCOVERY_TOKEN_<NAME>}``) / ``..._NOTIFY_<NAME>}`` (channel
URLs) / ``..._HEADER_<RESOURCE>_<HEADER>}`` (HTTP header values), with ``KAIROS_SECRET_ENV_PREFIX`` as the prefix:
set those variables (or edit the references to ``{file: name}`` below ``KAIROS_SECRETS_DIR``) before importing
the document elsewhere; importing it back where it came from keeps the stored values."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kairos.config_as_code.headers import export_headers
from kairos.config_as_code.maintenance_plan import export_maintenance
from kairos.config_as_code.secrets import SecretPolicy
from kairos.config_as_code.status_pages_plan import export_status_pages
from kairos.config_as_code.v1 import API_VERSION
from kairos.db.models import (
    Announcement,
    Credential,
    DiscoverySource,
    NotificationChannel,
    NotificationPolicy,
    Resource,
    ResourceGroup,
    StatusPage,
)
from kairos.naming import natural_key
from kairos.scheduler.catalog import load_type_settings


async def export_config(session: AsyncSession, policy: SecretPolicy | None = None) -> dict[str, Any]:
    """``policy`` gives the placeholders' prefix (``KAIROS_SECRET_ENV_PREFIX``); nothing else of it is used."""
    refs = policy or SecretPolicy()
    types = await load_type_settings(session)
    groups = list((await session.execute(select(ResourceGroup))).scalars())
    creds = list((await session.execute(select(Credential))).scalars())
    stmt = select(Resource).where(Resource.discovered_by.is_(None))
    resources = sorted((await session.execute(stmt)).scalars(), key=lambda r: (r.name_key, r.name, r.id))
    sources = sorted((await session.execute(select(DiscoverySource))).scalars(), key=lambda r: (r.name, r.id))
    notes = sorted((await session.execute(select(Announcement))).scalars(), key=lambda r: (r.created_at, r.id))
    cred_names = {c.id: c.name for c in creds}
    return {
        "apiVersion": API_VERSION,
        "kind": "KairosConfig",
        "resourceTypes": [
            {
                "resourceType": str(kind),  # plain str for YAML (built-in kinds are Kind members)
                "intervalSeconds": t.interval_s,
                "parallelism": t.parallelism,
                "timeoutSeconds": t.timeout_s,
                "outageThreshold": t.outage_threshold,
                "recoveryThreshold": t.recovery_threshold,
                "quorum": _quorum(t.quorum),
            }
            for kind, t in sorted(types.items())
        ],
        "groups": [_group(g, resources) for g in sorted(groups, key=lambda g: (g.display_order, g.name_key, g.name))],
        "credentials": [
            {
                "name": c.name,
                "pattern": c.pattern,
                "username": c.username,
                "secret": refs.placeholder("CREDENTIAL", c.name),
                **({"description": c.description} if c.description else {}),
            }
            for c in sorted(creds, key=lambda c: (natural_key(c.name), c.name, c.id))
        ],
        "resources": [_resource(r, cred_names, refs) for r in resources],
        "discoverySources": [_source(s, refs) for s in sources],
        "announcements": [
            {
                "kind": a.kind,
                "content": a.content,
                "active": a.active,
                **({"activeUntil": a.active_until.isoformat()} if a.active_until else {}),
            }
            for a in notes
        ],
        **await _notifications(session, groups, refs),
        "statusPages": export_status_pages(
            list((await session.execute(select(StatusPage))).scalars()), {g.id: g.name for g in groups}
        ),
        "maintenance": await export_maintenance(session),
    }


async def _notifications(session: AsyncSession, groups: list[ResourceGroup], refs: SecretPolicy) -> dict[str, Any]:
    """Channels with a placeholder URL, policies by the names of their channel, groups and resources."""
    chans = sorted((await session.execute(select(NotificationChannel))).scalars(), key=lambda c: (c.name, c.id))
    policies = sorted((await session.execute(select(NotificationPolicy))).scalars(), key=lambda p: (p.name, p.id))
    chan_names = {c.id: c.name for c in chans}
    names = {"groups": {g.id: g.name for g in groups}}
    if any(p.scope == "resources" for p in policies):
        rows = (await session.execute(select(Resource.id, Resource.name))).all()
        names["resources"] = {rid: name for rid, name in rows}
    return {
        "notificationChannels": [
            {"name": c.name, "kind": c.kind, "url": refs.placeholder("NOTIFY", c.name), "active": c.enabled}
            for c in chans
        ],
        "notificationPolicies": [_policy(p, chan_names, names) for p in policies if p.channel_id in chan_names],
    }


def _policy(p: NotificationPolicy, chans: dict[int, str], names: dict[str, dict[int, str]]) -> dict[str, Any]:
    scope: Any = "all"
    if p.scope in names:
        # Ids of objects deleted since are left out: the policy never matched them again anyway.
        scope = {p.scope: [names[p.scope][i] for i in p.scope_ids or [] if i in names[p.scope]]}
    out: dict[str, Any] = {"name": p.name, "channel": chans[p.channel_id], "events": list(p.events or []),
                           "scope": scope}  # fmt: skip
    if p.reminder_interval_s is not None:
        out["reminderIntervalSeconds"] = p.reminder_interval_s
    return out | {"active": p.enabled}


def _group(group: ResourceGroup, resources: list[Resource]) -> dict[str, Any]:
    members = sorted(
        ((m.display_order, r.name) for r in resources for m in r.memberships if m.group_id == group.id),
    )
    return {"name": group.name, "visibility": group.visibility, "order": group.display_order,
            "members": [name for _, name in members]}  # fmt: skip


def _resource(r: Resource, cred_names: dict[int, str], refs: SecretPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {"name": r.name, "type": r.kind, "target": r.target, "skipTLS": r.skip_tls,
                           "recursive": r.recursive, "active": r.enabled, "displayOrder": r.display_order}  # fmt: skip
    if r.interval_s is not None:
        out["intervalSeconds"] = r.interval_s
    if r.timeout_s is not None:
        out["timeoutSeconds"] = r.timeout_s
    if r.config:
        out["options"] = export_headers(refs, r.name, r.config)
    out["groups"] = sorted(m.group.name for m in r.memberships)
    if r.credential_id in cred_names:
        out["credential"] = cred_names[r.credential_id]
    if r.locations:
        out["locations"] = list(r.locations)
    if r.quorum is not None:
        out["quorum"] = _quorum(r.quorum)
    if r.proxy is not None:
        out["proxy"] = r.proxy
    if r.outage_threshold is not None:
        out["outageThreshold"] = r.outage_threshold
    if r.recovery_threshold is not None:
        out["recoveryThreshold"] = r.recovery_threshold
    if r.upside_down:
        out["upsideDown"] = True
    if r.tags:
        out["tags"] = [{"key": t.key, "value": t.value, "colour": t.colour} for t in r.tags]
    return out


def _quorum(policy: str) -> str | int:
    """A number as a YAML number (``quorum: 2``), a named policy as its name."""
    return int(policy) if policy.isdigit() else policy


def _source(s: DiscoverySource, refs: SecretPolicy) -> dict[str, Any]:
    if s.kind == "KUBERNETES":
        return _kubernetes_source(s, refs)
    out: dict[str, Any] = {"name": s.name, "prefix": s.prefix, "recursive": s.recursive}
    if s.tag_filter:
        out["tagFilter"] = s.tag_filter
    out |= {"intervalSeconds": s.interval_s, "parallelism": s.parallelism}
    if s.username:
        out["username"] = s.username
    if s.secret_enc is not None:
        out["password"] = refs.placeholder("DISCOVERY", s.name)
    out |= {"insecureHttp": s.insecure_http, "skipTLS": s.skip_tls, "active": s.enabled}
    return out | ({"latestOnly": True} if s.latest_only else {})


def _kubernetes_source(s: DiscoverySource, refs: SecretPolicy) -> dict[str, Any]:
    """Only what is set, beside the kind: a source of the pod's own cluster has no URL and no token."""
    out: dict[str, Any] = {"name": s.name, "kind": "KUBERNETES"}
    if s.api_url:
        out["apiUrl"] = s.api_url
    if s.token_enc is not None:
        out["token"] = refs.placeholder("DISCOVERY_TOKEN", s.name)
    if s.ca_pem:
        out["caCertificate"] = s.ca_pem
    if s.namespaces:
        out["namespaces"] = list(s.namespaces)
    if s.object_kinds:
        out["objectKinds"] = list(s.object_kinds)
    return out | {
        "annotationOnly": s.annotation_only,
        "intervalSeconds": s.interval_s,
        "skipTLS": s.skip_tls,
        "active": s.enabled,
    }


def to_yaml(document: dict[str, Any]) -> str:
    text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)
    return text
